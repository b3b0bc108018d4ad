package dev.vip.hook;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * Every connection vip makes to PostgreSQL (the daemon's to its own server, the other nodes and the
 * primary; the hook's fence; pgprobe's): every wait bounded by {@code timeout}, connecting and logging
 * in (pgjdbc counts those in whole seconds, at least 1; nothing of a login it gave up on is left waiting)
 * and each later read (to the millisecond, the socket's timeout); TCP keepalive; the application name
 * PostgreSQL shows in pg_stat_activity; a statement server-side prepared from its first use (the
 * daemon's are kept open between checks).
 */
public final class PgConnections {
    private PgConnections() {
    }

    public static Connection open(Conninfo conninfo, Duration timeout, String applicationName) throws SQLException {
        Properties props = conninfo.properties();
        long millis = Math.max(1, timeout.toMillis());
        String seconds = Long.toString(Math.max(1, (millis + 999) / 1000));
        props.setProperty("connectTimeout", seconds);
        props.setProperty("loginTimeout", seconds);
        // the login's own reads too: pgjdbc logs in on a thread of its own that it leaves behind when the
        // login timeout passes; without this that thread waits on a hung server for ever, its connection
        // queued there, and when the server continues each one left takes a backend (in the e2e, a minute
        // of looks filled max_connections: "sorry, too many clients already" for 13 s after it continued)
        props.setProperty("socketTimeout", seconds);
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("prepareThreshold", "1");
        Connection c;
        try {
            c = DriverManager.getConnection(conninfo.jdbcUrl(), props);
        } catch (IllegalArgumentException e) {
            throw new SQLException(e.getMessage(), e);
        }
        try {
            c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, millis));
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    /** Closes a connection that is being thrown away (after an error): nothing more to do with it. */
    public static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // thrown away anyway
            }
        }
    }
}
