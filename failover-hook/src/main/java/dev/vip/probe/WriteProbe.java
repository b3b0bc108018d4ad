package dev.vip.probe;

import dev.vip.hook.Conninfo;
import dev.vip.hook.Fence;
import dev.vip.hook.PgConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * {@code vip pgprobe}: writes one row every {@code every} through the given server (the VIP) with pgjdbc,
 * short timeouts, reconnecting after any error (through a {@link Connector}: an attempt each tick, several
 * under way at once), and reports each outage window as it ends: the last good
 * write, the first failed attempt, the first good write again, and the rows acknowledged before it that
 * the server (now perhaps a new primary) does not have. With {@code read}, it reads instead (the standby
 * VIP's clients): a good attempt is an answer, and answers from a primary are counted.
 */
public final class WriteProbe {
    /** What the probe tells its caller, on the probe's thread. */
    public interface Listener {
        void started(String url, String run);

        /**
         * An error that stops every attempt, not a failover's (authentication, permission, no such database
         * or table): reported once per SQLSTATE, as it first happens.
         */
        void failing(String sqlState, String message);

        void outage(Outages.Window window, List<Long> missing, int unacknowledgedPresent);

        void finished(Summary summary);
    }

    /**
     * @param missing acknowledged rows the server did not have at the end; -1 when it could not be asked
     *     (0 when reading)
     * @param primaryAnswers reads a primary answered (reading through a standby VIP: it was on a primary)
     */
    public record Summary(String run, long attempts, long goodWrites, List<Outages.Window> windows, long missing,
                          boolean outageAtEnd, long primaryAnswers) {
        public Duration longest() {
            return windows.stream().map(Outages.Window::length).max(Duration::compareTo).orElse(Duration.ZERO);
        }
    }

    public record Settings(Conninfo conninfo, Duration every, Duration timeout, String table, String run,
                           Duration duration, boolean read) {
        private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

        public Settings {
            if (!IDENTIFIER.matcher(table).matches()) {
                throw new IllegalArgumentException("table name '" + table + "' must match " + IDENTIFIER.pattern());
            }
            conninfo.jdbcUrl(); // a Unix-socket host is refused here, before anything runs
        }
    }

    /** The server's name: its cluster_name, else its address. */
    private static final String SERVER = "coalesce(nullif(current_setting('cluster_name'), ''), host(inet_server_addr()))";

    private final Settings settings;
    private final Listener listener;
    private final Outages outages = new Outages();
    private final Connector<Session> connector;
    private volatile boolean stopping;
    private volatile Thread runner;
    private Connection connection;
    private PreparedStatement insert; // or, reading, the query
    private long primaryAnswers;
    private final java.util.Set<String> reported = new java.util.HashSet<>();
    private volatile boolean tableReady; // created once; a reconnect after a failover does not repeat the DDL
    private long judgedFrom; // rows before this were judged at an earlier window: each loss is reported once

    /** An open connection and the statement each attempt runs. */
    private record Session(Connection connection, PreparedStatement statement) implements AutoCloseable {
        @Override
        public void close() {
            PgConnections.closeQuietly(connection);
        }
    }

    public WriteProbe(Settings settings, Listener listener) {
        this.settings = settings;
        this.listener = listener;
        // enough attempts under way to cover one connect timeout at one per tick (a SYN lost to a moving VIP
        // waits 1 s for TCP's retransmission), within reason
        long perTimeout = settings.timeout().toNanos() / Math.max(1, settings.every().toNanos()) + 1;
        this.connector = new Connector<>(this::open, (int) Math.min(16, Math.max(2, perTimeout)));
    }

    /** Writes until {@link #stop()} or the duration has passed; returns the summary it also reported. */
    public Summary run() {
        runner = Thread.currentThread();
        listener.started(settings.conninfo().target(), settings.run());
        long every = settings.every().toNanos();
        long start = System.nanoTime();
        long end = settings.duration() == null ? Long.MAX_VALUE : start + settings.duration().toNanos();
        long next = start;
        long seq = 0;
        while (!stopping && System.nanoTime() - end < 0) {
            attempt(seq++);
            next += every;
            long now = System.nanoTime();
            if (next - now < 0) {
                next = now; // late: no burst to catch up
            } else {
                LockSupport.parkNanos(next - now);
            }
        }
        long missing = settings.read() ? 0 : -1;
        if (connection != null && !settings.read()) {
            try {
                missing = outages.missing(present(seq), seq).size();
            } catch (SQLException e) {
                missing = -1;
            }
        }
        close();
        connector.close();
        Summary summary = new Summary(settings.run(), outages.attempts(), outages.goodWrites(), outages.windows(),
                missing, outages.ongoingSince().isPresent(), primaryAnswers);
        listener.finished(summary);
        return summary;
    }

    public void stop() {
        stopping = true;
        Thread t = runner;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void attempt(long seq) {
        Instant started = Instant.now();
        try {
            if (connection == null) {
                Session session = connector.next(settings.every().toNanos());
                connection = session.connection();
                insert = session.statement();
            }
            String server;
            if (settings.read()) {
                try (ResultSet r = insert.executeQuery()) {
                    r.next();
                    server = r.getString(1);
                    if (!r.getBoolean(2)) {
                        primaryAnswers++;
                    }
                }
                outages.good(Instant.now(), seq, server).ifPresent(w -> listener.outage(w, List.of(), 0));
                return;
            }
            insert.setString(1, settings.run());
            insert.setLong(2, seq);
            try (ResultSet r = insert.executeQuery()) {
                r.next();
                server = r.getString(1);
            }
            Instant acknowledged = Instant.now();
            outages.good(acknowledged, seq, server).ifPresent(w -> {
                List<Long> missing;
                int extra;
                try {
                    BitSet present = present(seq);
                    missing = outages.missing(present, judgedFrom, seq);
                    judgedFrom = seq + 1;
                    extra = outages.unacknowledgedPresent(present, seq);
                } catch (SQLException e) {
                    missing = List.of();
                    extra = -1;
                }
                listener.outage(w, missing, extra);
            });
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                tableReady = false; // undefined_table: someone dropped it
            }
            close();
            outages.failed(started, Fence.firstLine(e.getMessage()));
            if (configurationError(e.getSQLState()) && reported.add(e.getSQLState())) {
                listener.failing(e.getSQLState(), Fence.firstLine(e.getMessage()));
            }
        }
    }

    /**
     * SQLSTATEs that no failover explains and no retry mends: invalid authorization (28), insufficient
     * privilege (42501), an undefined database (3D000), table (42P01) or role (42704). Connection errors
     * (class 08) and a server shutting down (57P) are what outages are made of.
     */
    static boolean configurationError(String state) {
        return state != null && (state.startsWith("28") || state.equals("42501") || state.equals("3D000")
                || state.equals("42P01") || state.equals("42704"));
    }

    /** One connection attempt, on one of the connector's threads. */
    private Session open() throws SQLException {
        Connection c = PgConnections.open(settings.conninfo(), settings.timeout(), "vip pgprobe");
        try {
            if (settings.read()) {
                return new Session(c, c.prepareStatement("SELECT " + SERVER + ", pg_is_in_recovery()"));
            }
            if (!tableReady) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS " + settings.table() + " (run text NOT NULL, seq bigint "
                            + "NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), server text, "
                            + "PRIMARY KEY (run, seq))");
                }
                tableReady = true;
            }
            return new Session(c, c.prepareStatement("INSERT INTO " + settings.table() + " (run, seq, server) "
                    + "VALUES (?, ?, " + SERVER + ") RETURNING server"));
        } catch (SQLException | RuntimeException e) {
            PgConnections.closeQuietly(c);
            throw e;
        }
    }

    /** The sequence numbers of this run, up to {@code through}, that the server has. */
    private BitSet present(long through) throws SQLException {
        BitSet present = new BitSet();
        try (PreparedStatement q = connection.prepareStatement("SELECT seq FROM " + settings.table()
                + " WHERE run = ? AND seq <= ?")) {
            q.setString(1, settings.run());
            q.setLong(2, through);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    present.set(Math.toIntExact(r.getLong(1)));
                }
            }
        }
        return present;
    }

    private void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // the connection is being thrown away after an error: nothing more to do with it
            }
        }
        connection = null;
        insert = null;
    }
}
