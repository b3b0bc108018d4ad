package dev.vip.hook;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * The daemon's connections to PostgreSQL (its own server, the other nodes, the primary): kept open
 * between checks, every wait bounded by {@code timeout} (pgjdbc counts whole seconds, at least 1), and
 * the question a server-side prepared statement from its first use.
 */
final class DaemonConnections {
    private DaemonConnections() {
    }

    static Connection open(Conninfo conninfo, Duration timeout) throws SQLException {
        Properties props = conninfo.properties();
        String seconds = Long.toString(Math.max(1, (timeout.toMillis() + 999) / 1000));
        props.setProperty("connectTimeout", seconds);
        props.setProperty("loginTimeout", seconds);
        props.setProperty("socketTimeout", seconds);
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "vip daemon");
        props.setProperty("prepareThreshold", "1");
        try {
            return DriverManager.getConnection(conninfo.jdbcUrl(), props);
        } catch (IllegalArgumentException e) {
            throw new SQLException(e.getMessage(), e);
        }
    }

    /** Closes a connection that is being thrown away (after an error): nothing more to do with it. */
    static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // thrown away anyway
            }
        }
    }
}
