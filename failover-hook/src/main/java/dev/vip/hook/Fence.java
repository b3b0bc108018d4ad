package dev.vip.hook;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Before a claim: is the local PostgreSQL really a primary? {@code pg_is_in_recovery()} must be false,
 * within a short timeout. A standby, or a server that does not answer in time, is not.
 */
public final class Fence {
    /** What the check found. */
    public record Verdict(boolean primary, String reason) {
    }

    private Fence() {
    }

    public static Verdict check(Conninfo conninfo, Duration timeout) {
        try {
            conninfo.jdbcUrl();
        } catch (IllegalArgumentException e) {
            return new Verdict(false, e.getMessage());
        }
        try (Connection c = PgConnections.open(conninfo, timeout, "vip hook");
             Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT pg_is_in_recovery()")) {
                r.next();
                return r.getBoolean(1)
                        ? new Verdict(false, "the local PostgreSQL is in recovery (a standby)")
                        : new Verdict(true, "the local PostgreSQL is a primary (pg_is_in_recovery() = false)");
            }
        } catch (SQLException e) {
            return new Verdict(false, "the local PostgreSQL did not answer (" + conninfo + "): "
                    + firstLine(e.getMessage()));
        }
    }

    /** The first line of an error message (pgjdbc's carry hints and positions on the next ones). */
    public static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
