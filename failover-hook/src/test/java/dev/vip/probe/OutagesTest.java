package dev.vip.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutagesTest {
    private static final Instant T0 = Instant.parse("2026-11-26T08:00:00Z");

    private static Instant at(long millis) {
        return T0.plusMillis(millis);
    }

    @Test
    void failuresBeforeTheFirstGoodWriteAreNoOutage() {
        Outages o = new Outages();
        o.failed(at(0), "refused");
        o.failed(at(10), "refused");
        assertTrue(o.ongoingSince().isEmpty());
        assertTrue(o.good(at(20), 2, "n1").isEmpty());
        assertTrue(o.windows().isEmpty());
        assertEquals(3, o.attempts());
        assertEquals(1, o.goodWrites());
    }

    @Test
    void aWindowRunsFromTheLastGoodWriteToTheFirstGoodOneAgain() {
        Outages o = new Outages();
        o.good(at(0), 0, "n1");
        o.good(at(20), 1, "n1");
        o.failed(at(40), "connection refused");
        o.failed(at(60), "timeout");
        assertEquals(at(40), o.ongoingSince().orElseThrow());
        Outages.Window w = o.good(at(1990), 4, "n2").orElseThrow();
        assertEquals(new Outages.Good(at(20), 1, "n1"), w.lastGood());
        assertEquals(at(40), w.firstFailed());
        assertEquals("connection refused", w.firstError(), "the first error, not the last");
        assertEquals(new Outages.Good(at(1990), 4, "n2"), w.goodAgain());
        assertEquals(2, w.failedAttempts());
        assertEquals(Duration.ofMillis(1970), w.length());
        assertTrue(o.ongoingSince().isEmpty());
        assertTrue(o.good(at(2010), 5, "n2").isEmpty(), "one window per outage");
        assertEquals(List.of(w), o.windows());
    }

    @Test
    void twoOutagesAreTwoWindows() {
        Outages o = new Outages();
        o.good(at(0), 0, "n1");
        o.failed(at(10), "x");
        o.good(at(30), 2, "n2");
        o.failed(at(40), "y");
        o.failed(at(50), "y");
        o.good(at(90), 5, "n1");
        assertEquals(2, o.windows().size());
        assertEquals(Duration.ofMillis(30), o.windows().get(0).length());
        assertEquals(Duration.ofMillis(60), o.windows().get(1).length());
        assertEquals(2, o.windows().get(1).failedAttempts());
    }

    @Test
    void acknowledgedRowsTheServerLacksAreMissingAndUnacknowledgedOnesItHasAreCounted() {
        Outages o = new Outages();
        for (int seq = 0; seq < 5; seq++) {
            o.good(at(seq * 10L), seq, "n1");
        }
        o.failed(at(50), "gone"); // seq 5: its commit may or may not have happened
        o.good(at(900), 6, "n2");
        BitSet present = new BitSet();
        present.set(0, 3); // the new primary got 0-2 before the old one died
        present.set(5); // and seq 5, whose acknowledgement was lost
        present.set(6);
        assertEquals(List.of(3L, 4L), o.missing(present, 6));
        assertEquals(List.of(3L), o.missing(present, 3), "only up to the given sequence number");
        assertEquals(List.of(4L), o.missing(present, 4, 6), "rows an earlier window judged are not counted again");
        assertEquals(1, o.unacknowledgedPresent(present, 6));
        assertEquals(0, o.unacknowledgedPresent(present, 4));
    }
}
