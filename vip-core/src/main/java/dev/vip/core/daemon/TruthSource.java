package dev.vip.core.daemon;

/**
 * Where the daemon learns its cluster's {@link Truth} (PostgreSQL, read through pgjdbc by the hook
 * module). Thread-safe; every call does I/O with short timeouts and never throws.
 */
public interface TruthSource extends AutoCloseable {
    /**
     * This node's server asked now (one round trip on a warm connection); the peers asked now too when
     * {@code askPeers}, else their answers from the last time they were asked.
     */
    Truth observe(boolean askPeers);

    @Override
    void close();
}
