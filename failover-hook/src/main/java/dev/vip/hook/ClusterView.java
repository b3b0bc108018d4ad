package dev.vip.hook;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What a node can see of its cluster, through pgjdbc with short timeouts: whether the local PostgreSQL
 * answers and is in recovery, repmgr's node list (the {@code repmgr.nodes} table, replicated to every
 * node), and the primary's {@code pg_stat_replication}, matched to the nodes by application_name
 * (repmgr sets it to the node name in primary_conninfo). Read on the local server when it is the
 * primary, else on the primary named in the metadata.
 */
public record ClusterView(boolean localUp, boolean localInRecovery, List<Placement.Standby> standbys, String problem) {

    /** The view, or a view with {@code problem} set when some part could not be read. */
    public static ClusterView read(Conninfo local, Duration timeout) {
        Map<Integer, String> names = new HashMap<>();
        boolean inRecovery;
        String primaryConninfo = null;
        try (Connection c = connect(local, timeout); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT pg_is_in_recovery()")) {
                r.next();
                inRecovery = r.getBoolean(1);
            }
            try (ResultSet r = s.executeQuery("SELECT node_id, node_name, type, conninfo FROM repmgr.nodes WHERE active")) {
                while (r.next()) {
                    if ("standby".equals(r.getString(3))) {
                        names.put(r.getInt(1), r.getString(2));
                    } else if ("primary".equals(r.getString(3))) {
                        primaryConninfo = r.getString(4);
                    }
                }
            }
            if (!inRecovery) {
                return new ClusterView(true, false, standbys(names, replication(s)), null);
            }
        } catch (SQLException e) {
            return new ClusterView(false, false, List.of(), "the local PostgreSQL did not answer: " + firstLine(e));
        }
        if (primaryConninfo == null) {
            return new ClusterView(true, true, List.of(), "repmgr's metadata names no active primary");
        }
        Conninfo primary;
        try {
            primary = Conninfo.parse(primaryConninfo);
        } catch (IllegalArgumentException e) {
            return new ClusterView(true, true, List.of(), "the primary's conninfo: " + e.getMessage());
        }
        try (Connection c = connect(primary, timeout); Statement s = c.createStatement()) {
            return new ClusterView(true, true, standbys(names, replication(s)), null);
        } catch (SQLException e) {
            return new ClusterView(true, true, List.of(), "the primary did not answer: " + firstLine(e));
        }
    }

    /** Whether the view could be read whole: decisions are made on whole views only. */
    public boolean complete() {
        return problem == null;
    }

    private record Replica(boolean streaming, Duration lag) {
    }

    private static Map<String, Replica> replication(Statement s) throws SQLException {
        Map<String, Replica> out = new HashMap<>();
        // replay_lag is NULL when the standby has replayed everything and nothing new came for a while
        try (ResultSet r = s.executeQuery("SELECT application_name, state, "
                + "(extract(epoch FROM replay_lag) * 1000)::bigint FROM pg_stat_replication")) {
            while (r.next()) {
                long lag = r.getLong(3);
                out.put(r.getString(1), new Replica("streaming".equals(r.getString(2)),
                        r.wasNull() ? null : Duration.ofMillis(lag)));
            }
        }
        return out;
    }

    private static List<Placement.Standby> standbys(Map<Integer, String> names, Map<String, Replica> replicas) {
        List<Placement.Standby> out = new ArrayList<>();
        names.forEach((id, name) -> {
            Replica r = replicas.get(name);
            out.add(new Placement.Standby(id, name, r != null && r.streaming(), r == null ? null : r.lag()));
        });
        return out;
    }

    private static Connection connect(Conninfo conninfo, Duration timeout) throws SQLException {
        Properties props = conninfo.properties();
        String seconds = Long.toString(Math.max(1, (timeout.toMillis() + 999) / 1000));
        props.setProperty("connectTimeout", seconds);
        props.setProperty("loginTimeout", seconds);
        props.setProperty("socketTimeout", seconds);
        props.setProperty("ApplicationName", "vip daemon");
        try {
            return DriverManager.getConnection(conninfo.jdbcUrl(), props);
        } catch (IllegalArgumentException e) {
            throw new SQLException(e.getMessage(), e);
        }
    }

    private static String firstLine(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
