package dev.vip.hook;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    /** The standby list's source: every standby, active or not, and the active primary's conninfo. */
    static final String NODES = "SELECT node_id, node_name, type, conninfo, active FROM repmgr.nodes";
    /** Who streams from a primary; replay_lag is NULL once a standby has replayed all and nothing new came. */
    static final String REPLICATION = "SELECT application_name, state, "
            + "(extract(epoch FROM replay_lag) * 1000)::bigint, host(client_addr) FROM pg_stat_replication";
    /**
     * What the local server says, one round trip: in recovery or not, the node list, and who streams from
     * it (read only when it is the primary).
     */
    static final String LOCAL = "SELECT pg_is_in_recovery(); " + NODES + "; " + REPLICATION;

    /**
     * Reads views over connections it keeps between checks, with statements prepared once per connection
     * (a check is then one round trip to the local server, and one to the primary when that is another
     * node, not logins), reconnecting after any error and when the metadata names another primary. One
     * thread.
     */
    public static final class Reader implements AutoCloseable {
        private final Conninfo local;
        private final Duration timeout;
        private Connection localConnection;
        private PreparedStatement localLook;
        private Connection primaryConnection;
        private PreparedStatement primaryReplication;
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
                    localLook = localConnection.prepareStatement(LOCAL);
                }
                localLook.execute();
                try (ResultSet r = localLook.getResultSet()) {
                    r.next();
                    inRecovery = r.getBoolean(1);
                }
                localLook.getMoreResults();
                // every standby, active or not: repmgrd marks a restarted standby active again only
                // seconds after it streams, and streaming is what counts; the primary must be active
                // (after a failover the old one's row still says primary)
                try (ResultSet r = localLook.getResultSet()) {
                    while (r.next()) {
                        if ("standby".equals(r.getString(3))) {
                            names.put(r.getInt(1), r.getString(2));
                        } else if ("primary".equals(r.getString(3)) && r.getBoolean(5)) {
                            primary = r.getString(4);
                        }
                    }
                }
                localLook.getMoreResults();
                if (!inRecovery) {
                    closePrimary();
                    Map<String, Replica> replicas = replication(localLook.getResultSet());
                    return new ClusterView(true, standbys(names, replicas), hosts(names, replicas), null);
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
                    primaryReplication = primaryConnection.prepareStatement(REPLICATION);
                    primaryConninfo = primary;
                }
                Map<String, Replica> replicas = replication(primaryReplication.executeQuery());
                return new ClusterView(true, standbys(names, replicas), hosts(names, replicas), null);
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
            localLook = null;
        }

        private void closePrimary() {
            PgConnections.closeQuietly(primaryConnection);
            primaryConnection = null;
            primaryReplication = null;
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

    private static Map<String, Replica> replication(ResultSet rows) throws SQLException {
        Map<String, Replica> out = new HashMap<>();
        try (ResultSet r = rows) {
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
