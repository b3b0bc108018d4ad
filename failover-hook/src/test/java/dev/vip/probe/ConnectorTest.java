package dev.vip.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectorTest {
    private static final long LONG = TimeUnit.SECONDS.toNanos(10);

    /** A connection that records its closing. */
    static final class Conn implements AutoCloseable {
        final int n;
        final CountDownLatch closed = new CountDownLatch(1);

        Conn(int n) {
            this.n = n;
        }

        @Override
        public void close() {
            closed.countDown();
        }

        boolean isClosed() throws InterruptedException {
            return closed.await(5, TimeUnit.SECONDS);
        }
    }

    /** An opener held up until the test lets it go, as a connect whose SYN went unanswered. */
    private static void await(CountDownLatch release) {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aConnectionThatAnswersIsReturned() throws Exception {
        try (Connector<Conn> c = new Connector<>(() -> new Conn(1), 4)) {
            Conn got = c.next(LONG);
            assertEquals(1, got.n);
            assertEquals(1, got.closed.getCount()); // not closed: it was taken
        }
    }

    @Test
    void anAttemptThatFailsIsThisTicksError() {
        try (Connector<Conn> c = new Connector<>(() -> {
            throw new SQLException("Connection refused", "08001");
        }, 4)) {
            SQLException e = assertThrows(SQLException.class, () -> c.next(LONG));
            assertEquals("08001", e.getSQLState());
            assertEquals("Connection refused", e.getMessage());
        }
    }

    @Test
    void aRuntimeFailureBecomesAConnectionError() {
        try (Connector<Conn> c = new Connector<>(() -> {
            throw new IllegalStateException("boom");
        }, 2)) {
            SQLException e = assertThrows(SQLException.class, () -> c.next(LONG));
            assertEquals("08000", e.getSQLState());
        }
    }

    /**
     * The case it exists for: the first attempt hangs (its SYN went to the old holder), a later one answers
     * at once; the later one is taken without waiting for the first, which is closed when it ends.
     */
    @Test
    void aLaterAttemptIsNotHeldUpByOneThatHangs() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        List<Conn> opened = new CopyOnWriteArrayList<>();
        try (Connector<Conn> c = new Connector<>(() -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                await(release);
            }
            Conn conn = new Conn(n);
            opened.add(conn);
            return conn;
        }, 4)) {
            SQLException none = assertThrows(SQLException.class, () -> c.next(TimeUnit.MILLISECONDS.toNanos(50)));
            assertTrue(none.getMessage().contains("1 connection attempts under way"), none.getMessage());
            Conn got = c.next(LONG);
            assertEquals(2, got.n);
            release.countDown(); // the hung one ends after the second was taken: closed, never handed out
            while (opened.size() < 2) {
                Thread.onSpinWait();
            }
            Conn late = opened.stream().filter(x -> x.n == 1).findFirst().orElseThrow();
            assertTrue(late.isClosed());
            assertEquals(1, got.closed.getCount());
        }
    }

    @Test
    void noMoreThanMaxPendingAreUnderWay() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        try (Connector<Conn> c = new Connector<>(() -> {
            calls.incrementAndGet();
            await(release);
            throw new SQLException("timed out", "08001");
        }, 3)) {
            for (int i = 0; i < 6; i++) {
                assertThrows(SQLException.class, () -> c.next(TimeUnit.MILLISECONDS.toNanos(5)));
            }
            assertEquals(3, c.pending());
            assertEquals(3, calls.get());
            release.countDown();
        }
    }

    @Test
    void errorsOfAttemptsStartedBeforeATakenConnectionAreNotReported() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstEnded = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        try (Connector<Conn> c = new Connector<>(() -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                await(release);
                firstEnded.countDown();
                throw new SQLException("stale", "08006");
            }
            return new Conn(n);
        }, 4)) {
            assertThrows(SQLException.class, () -> c.next(TimeUnit.MILLISECONDS.toNanos(20)));
            Conn second = c.next(LONG);
            release.countDown();
            assertTrue(firstEnded.await(5, TimeUnit.SECONDS));
            Thread.sleep(50); // let the first attempt's result be queued, if it were (it must not be)
            Conn third = c.next(LONG); // not the stale error: a fresh attempt's connection
            assertEquals(3, third.n);
            assertEquals(1, second.closed.getCount());
        }
    }

    @Test
    void closingClosesWhatWasOpenedAndNotTaken() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Conn> opened = new CopyOnWriteArrayList<>();
        Connector<Conn> c = new Connector<>(() -> {
            await(release);
            Conn conn = new Conn(opened.size() + 1);
            opened.add(conn);
            return conn;
        }, 2);
        assertThrows(SQLException.class, () -> c.next(TimeUnit.MILLISECONDS.toNanos(5)));
        c.close();
        release.countDown();
        while (opened.isEmpty()) {
            Thread.onSpinWait();
        }
        assertTrue(opened.get(0).isClosed());
        assertThrows(IllegalStateException.class, () -> c.next(0));
    }
}
