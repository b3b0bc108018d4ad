package dev.vip.probe;

import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the probe gets a connection when it has none: a new attempt each tick, several under way at once
 * (at most {@code maxPending}), the first to succeed taken and every other closed as it ends. A client
 * that waits for one connect at a time measures TCP's SYN retransmission (1 s) whenever its SYN went out
 * while the VIP was moving, not the VIP; a pool that opens connections as needed behaves like this.
 */
final class Connector<T extends AutoCloseable> implements AutoCloseable {
    /** Opens one connection (blocking, bounded by its own timeouts). */
    interface Opener<T> {
        T open() throws SQLException;
    }

    private record Done<T>(long ticket, T value, SQLException error) {
    }

    private final Opener<T> opener;
    private final int maxPending;
    private final ExecutorService pool;
    private final LinkedBlockingQueue<Done<T>> done = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private long nextTicket;
    /** Attempts with a lower ticket were started before the last connection was taken: their results are not wanted. */
    private volatile long wantedFrom;
    private volatile boolean closed;

    Connector(Opener<T> opener, int maxPending) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be at least 1");
        }
        this.opener = opener;
        this.maxPending = maxPending;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pgprobe-connect-" + n.incrementAndGet());
            t.setDaemon(true); // one blocked in connect must not keep the JVM up
            return t;
        });
    }

    /** Attempts under way. */
    int pending() {
        return pending.get();
    }

    /**
     * Starts an attempt (unless {@code maxPending} are under way) and waits up to {@code waitNanos} for one
     * to end: returns the first connection made, or throws the first error of an attempt that ended (or,
     * when none ended in time, a connection error saying how many are under way). Results of attempts
     * started before the last connection was taken are closed, never returned or thrown.
     */
    T next(long waitNanos) throws SQLException {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (pending.get() < maxPending) {
            long ticket = nextTicket++;
            pending.incrementAndGet();
            pool.execute(() -> attempt(ticket));
        }
        long deadline = System.nanoTime() + Math.max(0, waitNanos);
        while (true) {
            Done<T> d;
            try {
                d = done.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                d = null;
            }
            if (d == null) {
                throw new SQLException("no answer yet (" + pending.get() + " connection attempts under way)", "08001");
            }
            if (d.ticket() < wantedFrom) {
                closeQuietly(d.value());
                continue;
            }
            if (d.value() != null) {
                wantedFrom = nextTicket;
                discardEnded();
                return d.value();
            }
            throw d.error();
        }
    }

    private void attempt(long ticket) {
        Done<T> d;
        try {
            d = new Done<>(ticket, opener.open(), null);
        } catch (SQLException e) {
            d = new Done<>(ticket, null, e);
        } catch (RuntimeException e) {
            d = new Done<>(ticket, null, new SQLException(e.toString(), "08000", e));
        }
        pending.decrementAndGet();
        if (closed || ticket < wantedFrom) {
            closeQuietly(d.value());
        } else {
            done.add(d);
        }
        if (closed) {
            discardEnded(); // close() may have drained before this one was queued
        }
    }

    private void discardEnded() {
        for (Done<T> d; (d = done.poll()) != null; ) {
            closeQuietly(d.value());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // not wanted: thrown away
            }
        }
    }

    /** Closes what has been opened and not taken; attempts still under way close theirs when they end. */
    @Override
    public void close() {
        closed = true;
        discardEnded();
        pool.shutdown();
    }
}
