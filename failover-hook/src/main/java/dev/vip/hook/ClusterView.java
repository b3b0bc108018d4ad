package dev.vip.hook;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a node can see of its cluster, through pgjdbc with short timeouts: whether the local PostgreSQL
 * answers and is in recovery, repmgr's node list (the {@code repmgr.nodes} table, replicated to every
 * node), and the primary's {@code pg_stat_replication}, matched to the nodes by application_name
 * (repmgr sets it to the node name in primary_conninfo). Read on the local server when it is the
 * primary, else on the primary named in the metadata, by a {@link Reader}.
 */
record ClusterView(boolean localUp, List<Placement.Standby> standbys, Map<Integer, String> hosts,
                          String problem) {

    ClusterView(boolean localUp, List<Placement.Standby> standbys, String problem) {
        this(localUp, standbys, Map.of(), problem);
    }

    /**
     * Reads views over connections it keeps between checks (a check is then two short queries, not two
     * logins), reconnecting after any error and when the metadata names another primary. One thread.
     */
    public static final class Reader implements AutoCloseable {
        private final Conninfo local;
        private final Duration timeout;
        private Connection localConnection;
        private Connection primaryConnection;
        private String primaryConninfo;

        public Reader(Conninfo local, Duration timeout) {
            this.local = local;
            this.timeout = timeout;
        }

        /** The view, or a view with {@code problem} set when some part could not be read. */
        public ClusterView read() {
            Map<Integer, String> names = new HashMap<>();
            boolean inRecovery;
            String primary = null;
            try {
                if (localConnection == null) {
                    localConnection = PgConnections.open(local, timeout, "vip daemon");
                }
                try (Statement s = localConnection.createStatement()) {
                    try (ResultSet r = s.executeQuery("SELECT pg_is_in_recovery()")) {
                        r.next();
                        inRecovery = r.getBoolean(1);
                    }
                    // every standby, active or not: repmgrd marks a restarted standby active again only
                    // seconds after it streams, and streaming is what counts; the primary must be active
                    // (after a failover the old one's row still says primary)
                    try (ResultSet r = s.executeQuery(
                            "SELECT node_id, node_name, type, conninfo, active FROM repmgr.nodes")) {
                        while (r.next()) {
                            if ("standby".equals(r.getString(3))) {
                                names.put(r.getInt(1), r.getString(2));
                            } else if ("primary".equals(r.getString(3)) && r.getBoolean(5)) {
                                primary = r.getString(4);
                            }
                        }
                    }
                    if (!inRecovery) {
                        closePrimary();
                        Map<String, Replica> replicas = replication(s);
                        return new ClusterView(true, standbys(names, replicas), hosts(names, replicas), null);
                    }
                }
            } catch (SQLException e) {
                closeLocal();
                return new ClusterView(false, List.of(),
                        "the local PostgreSQL did not answer: " + Fence.firstLine(e.getMessage()));
            }
            if (primary == null) {
                return new ClusterView(true, List.of(), "repmgr's metadata names no active primary");
            }
            try {
                if (primaryConnection == null || !primary.equals(primaryConninfo)) {
                    closePrimary();
                    primaryConnection = PgConnections.open(Conninfo.parse(primary), timeout, "vip daemon");
                    primaryConninfo = primary;
                }
                try (Statement s = primaryConnection.createStatement()) {
                    Map<String, Replica> replicas = replication(s);
                    return new ClusterView(true, standbys(names, replicas), hosts(names, replicas), null);
                }
            } catch (IllegalArgumentException e) {
                return new ClusterView(true, List.of(), "the primary's conninfo: " + e.getMessage());
            } catch (SQLException e) {
                closePrimary();
                return new ClusterView(true, List.of(), "the primary did not answer: " + Fence.firstLine(e.getMessage()));
            }
        }

        private void closeLocal() {
            PgConnections.closeQuietly(localConnection);
            localConnection = null;
        }

        private void closePrimary() {
            PgConnections.closeQuietly(primaryConnection);
            primaryConnection = null;
            primaryConninfo = null;
        }

        @Override
        public void close() {
            closeLocal();
            closePrimary();
        }
    }

    /** Whether the view could be read whole: decisions are made on whole views only. */
    public boolean complete() {
        return problem == null;
    }

    private record Replica(boolean streaming, Duration lag, String address) {
    }

    private static Map<String, Replica> replication(Statement s) throws SQLException {
        Map<String, Replica> out = new HashMap<>();
        // replay_lag is NULL when the standby has replayed everything and nothing new came for a while
        try (ResultSet r = s.executeQuery("SELECT application_name, state, "
                + "(extract(epoch FROM replay_lag) * 1000)::bigint, host(client_addr) FROM pg_stat_replication")) {
            while (r.next()) {
                long lag = r.getLong(3);
                boolean noLag = r.wasNull();
                out.put(r.getString(1), new Replica("streaming".equals(r.getString(2)),
                        noLag ? null : Duration.ofMillis(lag), r.getString(4)));
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

    /** Each streaming standby's address as the primary sees it (its replication connection's peer). */
    private static Map<Integer, String> hosts(Map<Integer, String> names, Map<String, Replica> replicas) {
        Map<Integer, String> out = new HashMap<>();
        names.forEach((id, name) -> {
            Replica r = replicas.get(name);
            if (r != null && r.address() != null) {
                out.put(id, r.address());
            }
        });
        return out;
    }

}
