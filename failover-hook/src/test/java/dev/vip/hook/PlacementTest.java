package dev.vip.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The standby VIP's placement: cluster state in, holder out. */
class PlacementTest {
    private static final Duration MAX = Duration.ofSeconds(1);

    private static Placement.Standby up(int id, long lagMillis) {
        return new Placement.Standby(id, "n" + id, true, lagMillis < 0 ? null : Duration.ofMillis(lagMillis));
    }

    private static Placement.Standby down(int id) {
        return new Placement.Standby(id, "n" + id, false, null);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // standbys, max lag, current holder -> expected holder (null: the primary)
                Arguments.of("no standby registered", List.of(), MAX, null, null),
                Arguments.of("the only standby streams", List.of(up(2, 0)), MAX, null, 2),
                Arguments.of("it streams, lag unknown (idle: caught up)", List.of(up(2, -1)), MAX, null, 2),
                Arguments.of("the only standby does not stream (two nodes after a failover)", List.of(down(1)), MAX,
                        null, null),
                Arguments.of("lowest node id among the streaming", List.of(up(3, 0), up(2, 0), up(4, 0)), MAX, null, 2),
                Arguments.of("a non-streaming lower id is passed over", List.of(down(2), up(3, 0)), MAX, null, 3),
                Arguments.of("too much lag for a newcomer", List.of(up(2, 1500)), MAX, null, null),
                Arguments.of("no lag limit", List.of(up(2, 60_000)), null, null, 2),
                Arguments.of("the holder keeps it within twice the limit", List.of(up(2, 0), up(3, 1500)), MAX, 3, 3),
                Arguments.of("the holder loses it beyond twice the limit", List.of(up(2, 0), up(3, 2500)), MAX, 3, 2),
                Arguments.of("the holder stops streaming: at once", List.of(up(2, 0), down(3)), MAX, 3, 2),
                Arguments.of("the holder is gone from the metadata", List.of(up(2, 0)), MAX, 3, 2),
                Arguments.of("a lower id streaming again does not take it from the holder", List.of(up(2, 0), up(3, 0)),
                        MAX, 3, 3),
                Arguments.of("the primary held it: the first streaming standby takes it", List.of(up(1, 0)), MAX, null, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String what, List<Placement.Standby> standbys, Duration maxLag, Integer current, Integer expected) {
        Placement.Decision d = Placement.decide(standbys, maxLag, current);
        assertEquals(Optional.ofNullable(expected), d.holder(), d.reason());
        assertFalse(d.reason().isBlank());
    }

    @Test
    void onlyThePrimaryVipsHolderTakesTheFallback() {
        Placement.Decision fallback = Placement.decide(List.of(down(1)), MAX, null);
        assertTrue(fallback.holds(2, true), "the primary, which holds the primary VIP");
        assertFalse(fallback.holds(3, false), "a stray primary that does not hold the primary VIP");
        Placement.Decision toOne = Placement.decide(List.of(up(1, 0)), MAX, null);
        assertTrue(toOne.holds(1, false));
        assertFalse(toOne.holds(2, true), "the primary lets go once a standby streams");
    }

    @Test
    void aLagHoveringAroundTheLimitDoesNotMoveTheVip() {
        Integer current = null;
        List<Integer> holders = new ArrayList<>();
        long[] lags = {900, 1100, 950, 1200, 980, 1900, 1000, 1500};
        for (long lag : lags) {
            Placement.Decision d = Placement.decide(List.of(up(2, 0), up(3, lag)), MAX, current == null ? 3 : current);
            current = d.holder().orElse(null);
            holders.add(current);
        }
        assertEquals(List.of(3, 3, 3, 3, 3, 3, 3, 3), holders);
    }

    @Test
    void aStandbyWhoseReceiverFlapsIsFollowedAndTheOtherKeepsItOnceItHasIt() {
        // n2 (lower id) flaps between streaming and not; n3 streams steadily
        Integer current = null;
        List<Integer> holders = new ArrayList<>();
        boolean[] n2Streams = {true, false, true, false, true};
        for (boolean streams : n2Streams) {
            Placement.Decision d = Placement.decide(List.of(streams ? up(2, 0) : down(2), up(3, 0)), MAX, current);
            current = d.holder().orElse(null);
            holders.add(current);
        }
        // n2 has it, loses it to n3 when its receiver stops, and n3 keeps it afterwards: one move, not four
        assertEquals(List.of(2, 3, 3, 3, 3), holders);
    }
}
