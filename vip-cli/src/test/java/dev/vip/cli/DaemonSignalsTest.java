package dev.vip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.constants.platform.Signal;
import org.junit.jupiter.api.Test;

/** Taking back an ignored HUP or TERM, against a recorded signal(2); the real one is DaemonIT's. */
class DaemonSignalsTest {

    /** A process's dispositions: 0 default, 1 ignored, anything else a handler; -1 for an unknown signal. */
    private static final class Dispositions implements DaemonSignals.Disposition {
        final Map<Integer, Long> now = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public long signal(int number, long handler) {
            calls.add(number + "=" + handler);
            Long old = now.get(number);
            if (old == null) {
                return -1;
            }
            now.put(number, handler);
            return old;
        }
    }

    private final int hup = Signal.SIGHUP.intValue();
    private final int term = Signal.SIGTERM.intValue();

    @Test
    void anIgnoredSignalIsSetBackToItsDefault() {
        Dispositions d = new Dispositions();
        d.now.put(hup, 1L); // nohup
        d.now.put(term, 0x7f00L); // the JVM's handler
        assertEquals(List.of("SIGHUP"), DaemonSignals.reclaimIgnored(d, Signal.SIGHUP, Signal.SIGTERM));
        assertEquals(0L, d.now.get(hup));
        assertEquals(0x7f00L, d.now.get(term), "a handled signal keeps its handler");
    }

    @Test
    void aSignalNeverIgnoredIsOnlyProbedAndNeverSetToItsDefault() {
        Dispositions d = new Dispositions();
        d.now.put(hup, 0x7f00L);
        assertEquals(List.of(), DaemonSignals.reclaimIgnored(d, Signal.SIGHUP));
        // probed with SIG_IGN (a signal in between is lost, not fatal), then put back
        assertEquals(List.of(hup + "=1", hup + "=" + 0x7f00L), d.calls);
    }

    @Test
    void bothIgnoredAreNamedAndAnErrorChangesNothing() {
        Dispositions d = new Dispositions();
        d.now.put(hup, 1L);
        d.now.put(term, 1L);
        assertEquals(List.of("SIGHUP", "SIGTERM"), DaemonSignals.reclaimIgnored(d, Signal.SIGHUP, Signal.SIGTERM));
        Dispositions none = new Dispositions();
        assertEquals(List.of(), DaemonSignals.reclaimIgnored(none, Signal.SIGHUP));
        assertEquals(List.of(hup + "=1"), none.calls, "SIG_ERR: nothing put back");
    }

    /** A signal that comes while the daemon starts is acted on once it runs; a stop wins over a reload. */
    @Test
    void signalsWhileStartingWaitUntilItRuns() throws Exception {
        AtomicInteger stops = new AtomicInteger();
        AtomicInteger reloads = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        DaemonSignals starting = new DaemonSignals();
        starting.reloadAsked();
        assertEquals(0, reloads.get(), "nothing runs before the daemon does");
        starting.running(() -> stops.incrementAndGet(), () -> {
            reloads.incrementAndGet();
            ran.countDown();
        });
        assertTrue(ran.await(5, TimeUnit.SECONDS), "the held reload ran");

        CountDownLatch stopped = new CountDownLatch(1);
        DaemonSignals both = new DaemonSignals();
        both.reloadAsked();
        both.stopAsked();
        both.running(stopped::countDown, reloads::incrementAndGet);
        assertTrue(stopped.await(5, TimeUnit.SECONDS), "the held stop ran");
        both.reloadAsked(); // stopping: no reload any more
        Thread.sleep(100);
        assertEquals(1, reloads.get(), "only the first daemon's held reload ran");
        assertEquals(0, stops.get());
    }
}
