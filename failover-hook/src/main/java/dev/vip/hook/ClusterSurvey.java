package dev.vip.hook;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The whole cluster as one node sees it, for {@code vip status --cluster}: every node of repmgr.nodes
 * (read on the local server), each asked over its own conninfo for its role, timeline, WAL position and
 * whether its repmgrd runs; then, given who answers for each VIP on the segment, what is wrong. Only
 * reads: it changes nothing anywhere.
 */
public final class ClusterSurvey {
    private static final String NODES = "SELECT node_id, node_name, type, upstream_node_id, conninfo FROM repmgr.nodes "
            + "ORDER BY node_id";
    /** Role, timeline (a primary's from its WAL file name; a standby's from what it receives or its last
     * restartpoint), and the WAL position written (primary) or replayed (standby). */
    static final String QUESTION = "SELECT r, CASE WHEN r THEN coalesce((SELECT received_tli FROM pg_stat_wal_receiver), "
            + "(pg_control_checkpoint()).timeline_id) ELSE " + ClusterTruth.PRIMARY_TIMELINE + " END, "
            + "(CASE WHEN r THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text FROM pg_is_in_recovery() r";
    private static final String REPMGRD = "SELECT repmgr.repmgrd_is_running()";

    private ClusterSurvey() {
    }

    /**
     * A node as it answered. {@code role}: primary, standby, witness (repmgr's type, when it answered),
     * or unreachable (then {@code why}). {@code lagBytes}: a standby's replay behind the rightful primary.
     */
    public record Node(int id, String name, String repmgrType, Integer upstream, String host, String role,
                       Long timeline, Long lsn, Long lagBytes, Boolean repmgrd, String why) {
        public boolean primary() {
            return role.equals("primary");
        }

        public boolean standby() {
            return role.equals("standby");
        }

        Node withLag(Long lag) {
            return new Node(id, name, repmgrType, upstream, host, role, timeline, lsn, lag, repmgrd, why);
        }
    }

    /** Who answered for a VIP on the segment: node names, or "unknown host MAC" for a MAC of no node. */
    public record VipAnswer(String address, String role, List<String> holders) {
        public VipAnswer {
            holders = List.copyOf(holders);
        }
    }

    /** The nodes, or an exception that says why they cannot be listed (the local server, its repmgr schema). */
    public static List<Node> nodes(Conninfo local, Duration timeout) throws SQLException {
        List<Listed> listed = new ArrayList<>();
        try (Connection c = PgConnections.open(local, timeout, "vip status"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(NODES)) {
            while (r.next()) {
                listed.add(new Listed(r.getInt(1), r.getString(2), r.getString(3), (Integer) r.getObject(4),
                        r.getString(5)));
            }
        }
        ExecutorService askers = Executors.newFixedThreadPool(Math.max(1, Math.min(listed.size(), 16)), r -> {
            Thread t = new Thread(r, "vip-survey");
            t.setDaemon(true);
            return t;
        });
        try {
            return withLag(AskAll.ask(askers, listed,
                    n -> ask(n.id(), n.name(), n.type(), n.upstream(), n.conninfo(), timeout),
                    timeout.multipliedBy(2).plusSeconds(1),
                    n -> new Node(n.id(), n.name(), n.type(), n.upstream(), host(n.conninfo()), "unreachable", null,
                            null, null, null, "no answer in time")));
        } finally {
            askers.shutdownNow();
        }
    }

    /** A row of repmgr.nodes. */
    private record Listed(int id, String name, String type, Integer upstream, String conninfo) {
    }

    private static Node ask(int id, String name, String type, Integer upstream, String conninfo, Duration timeout) {
        String host = host(conninfo);
        try (Connection c = PgConnections.open(Conninfo.parse(conninfo), timeout, "vip status")) {
            boolean recovery;
            Long timeline;
            Long lsn;
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(QUESTION)) {
                r.next();
                recovery = r.getBoolean(1);
                timeline = r.getObject(2) == null ? null : r.getLong(2);
                lsn = lsn(r.getString(3));
            }
            Boolean repmgrd = null;
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(REPMGRD)) {
                r.next();
                repmgrd = r.getBoolean(1);
            } catch (SQLException e) {
                // no repmgr extension there, or no right to call it: not known
            }
            String role = "witness".equals(type) ? "witness" : recovery ? "standby" : "primary";
            return new Node(id, name, type, upstream, host, role, timeline, lsn, null, repmgrd, null);
        } catch (SQLException | RuntimeException e) {
            return new Node(id, name, type, upstream, host, "unreachable", null, null, null, null,
                    Fence.firstLine(e.getMessage()));
        }
    }

    /** The host= of a conninfo (null when none or unreadable). */
    static String host(String conninfo) {
        try {
            return Conninfo.parse(conninfo).values().get("host");
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A pg_lsn's text (X/Y, hexadecimal) as a number of bytes; null for null. */
    static Long lsn(String text) {
        if (text == null) {
            return null;
        }
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    /** The primary on the highest timeline, when exactly one is there. */
    public static Optional<Node> rightful(List<Node> nodes) {
        List<Node> primaries = nodes.stream().filter(Node::primary).filter(n -> n.timeline() != null).toList();
        long top = primaries.stream().mapToLong(Node::timeline).max().orElse(-1);
        List<Node> onTop = primaries.stream().filter(n -> n.timeline() == top).toList();
        return onTop.size() == 1 ? Optional.of(onTop.get(0)) : Optional.empty();
    }

    static List<Node> withLag(List<Node> nodes) {
        Optional<Node> primary = rightful(nodes);
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            boolean measurable = n.standby() && n.lsn() != null && primary.isPresent() && primary.get().lsn() != null;
            out.add(measurable ? n.withLag(Math.max(0, primary.get().lsn() - n.lsn())) : n);
        }
        out.sort(Comparator.comparingInt(Node::id));
        return out;
    }

    /**
     * What is wrong, one line each (empty: nothing): a node that does not answer, no primary, two on
     * the same timeline, a stale primary, a VIP on no node, on two, or on the wrong one.
     */
    public static List<String> problems(List<Node> nodes, List<VipAnswer> vips) {
        List<String> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.role().equals("unreachable")) {
                out.add(n.name() + " does not answer: " + n.why());
            }
        }
        Optional<Node> rightful = rightful(nodes);
        List<Node> primaries = nodes.stream().filter(Node::primary).toList();
        if (primaries.isEmpty()) {
            out.add("no node answers as a primary");
        } else if (rightful.isEmpty()) {
            Node lowest = primaries.stream().min(Comparator.comparingInt(Node::id)).orElseThrow();
            out.add(primaries.size() + " primaries on the same timeline: "
                    + String.join(", ", primaries.stream().map(Node::name).toList())
                    + " (split brain: the daemons give the primary VIP to " + lowest.name()
                    + ", the lowest node id (Arbiter); fence the others)");
        }
        for (Node n : primaries) {
            if (rightful.isPresent() && n.id() != rightful.get().id()) {
                out.add(n.name() + " is a stale primary (timeline " + n.timeline() + "; " + rightful.get().name()
                        + " is the primary on timeline " + rightful.get().timeline() + ")");
            }
        }
        List<String> standbys = nodes.stream().filter(Node::standby).map(Node::name).toList();
        for (VipAnswer v : vips) {
            String what = "the " + v.role() + " VIP " + v.address();
            if (v.holders().isEmpty()) {
                out.add(what + " is on no node (nobody answered for it)");
            } else if (v.holders().size() > 1) {
                out.add(what + " is answered by " + v.holders().size() + " hosts: " + String.join(", ", v.holders()));
            } else {
                String holder = v.holders().get(0);
                if (v.role().equals("primary") && rightful.isPresent() && !holder.equals(rightful.get().name())) {
                    out.add(what + " is on " + holder + ", not on the primary " + rightful.get().name());
                } else if (v.role().equals("standby") && !standbys.isEmpty() && !standbys.contains(holder)) {
                    out.add(what + " is on " + holder + ", not on a standby (" + String.join(", ", standbys) + ")");
                }
            }
        }
        return out;
    }
}
