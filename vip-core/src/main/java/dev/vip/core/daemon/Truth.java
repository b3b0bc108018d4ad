package dev.vip.core.daemon;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What this node knows of its cluster's PostgreSQL at one moment: its own server and the others that
 * repmgr's {@code repmgr.nodes} names, each as it answered (or did not) just now. Only the answers count:
 * a node that did not answer is {@link Role#UNREACHABLE}, never "a standby" nor "gone".
 *
 * @param self  this node's own PostgreSQL
 * @param peers the other nodes of repmgr's metadata (the last list read, when the local server is down)
 * @param fresh whether the peers were asked just now (false: their last answers, from the periodic check)
 */
public record Truth(Node self, List<Node> peers, boolean fresh) {
    /** WITNESS: repmgr's witness server, which answered; it never holds a VIP, but it is someone in sight. */
    public enum Role { PRIMARY, STANDBY, WITNESS, UNREACHABLE }

    /**
     * What a standby's repmgrd says of its upstream, from repmgr's shared memory: whom it watches and how
     * many seconds ago it last saw it. A repmgrd that has not seen its primary for a while is failing over,
     * or about to.
     *
     * @param upstream     the node it watches ({@code repmgr.get_upstream_node_id()}); -1 not known
     * @param lastSeenSecs seconds since it last saw that node ({@code repmgr.get_upstream_last_seen()}); -1 never
     * @param paused       {@code repmgr service pause}: it will not fail over
     * @param unlookedFor  while it has not looked yet ({@link #unknown()}), since the first look that found it
     *                     so; zero otherwise
     */
    public record Watch(int upstream, int lastSeenSecs, boolean paused, Duration unlookedFor) {
        /** What a repmgrd that has looked says. */
        public Watch(int upstream, int lastSeenSecs, boolean paused) {
            this(upstream, lastSeenSecs, paused, Duration.ZERO);
        }

        /**
         * A repmgrd that runs but has said nothing yet, look after look for {@code unlookedFor}: it started
         * since the last look (the figures are its predecessor's), or its server restarted and it has not
         * reached its upstream since. It may be counting its attempts to reconnect before a promotion.
         */
        public static Watch notYetLooked(boolean paused, Duration unlookedFor) {
            return new Watch(-1, -1, paused, unlookedFor);
        }

        /** True when this is {@link #notYetLooked}'s: whom it watches and when it saw it are not known. */
        public boolean unknown() {
            return upstream < 0 || lastSeenSecs < 0;
        }
    }

    /**
     * One PostgreSQL server.
     *
     * @param timeline the current timeline of a primary ({@code pg_walfile_name(pg_current_wal_lsn())},
     *                 which changes at promotion, unlike the checkpoint's); 0 when not a primary
     * @param detail   why it is unreachable, or a short description; for logs and status
     * @param watch    a standby's running repmgrd's view of its upstream ({@link Watch#unknown()} when it has
     *                 not looked yet); null when no repmgrd runs there, or when its figures cannot be read
     * @param silentFor for how long this node has not answered at all (timeouts, no route: its host may be
     *                 down or cut off from us), zero when it answered, even with a refusal
     * @param following for how long, look after look without a gap, this standby has answered us and
     *                 streamed from this node's PostgreSQL (it is in this primary's {@code pg_stat_replication});
     *                 zero when it does not, or when this node is not a primary
     */
    public record Node(int id, String name, Role role, long timeline, String detail, Watch watch,
                       Duration silentFor, Duration following) {
        public static Node primary(int id, String name, long timeline) {
            return new Node(id, name, Role.PRIMARY, timeline, "primary on timeline " + timeline, null, Duration.ZERO,
                    Duration.ZERO);
        }

        public static Node standby(int id, String name) {
            return standby(id, name, null);
        }

        public static Node standby(int id, String name, Watch watch) {
            return new Node(id, name, Role.STANDBY, 0, "standby", watch, Duration.ZERO, Duration.ZERO);
        }

        public static Node witness(int id, String name) {
            return new Node(id, name, Role.WITNESS, 0, "witness", null, Duration.ZERO, Duration.ZERO);
        }

        /** A node that answered, but not as a server should (refused, an error): its host is alive. */
        public static Node unreachable(int id, String name, String why) {
            return new Node(id, name, Role.UNREACHABLE, 0, why, null, Duration.ZERO, Duration.ZERO);
        }

        /** A node that has not answered at all for {@code silentFor}. */
        public static Node silent(int id, String name, String why, Duration silentFor) {
            return new Node(id, name, Role.UNREACHABLE, 0, why, null, silentFor, Duration.ZERO);
        }

        /** This node as seen following this primary for {@code d} (see {@code following}). */
        public Node following(Duration d) {
            return new Node(id, name, role, timeline, detail, watch, silentFor, d);
        }

        public boolean silent() {
            return silentFor.compareTo(Duration.ZERO) > 0;
        }

        public boolean primary() {
            return role == Role.PRIMARY;
        }

        /** Whether this primary outranks {@code other}: a higher timeline, or on the same one a lower id. */
        boolean outranks(Node other) {
            return timeline != other.timeline ? timeline > other.timeline : id < other.id;
        }

        @Override
        public String toString() {
            return name + " (node " + id + ", " + detail + ")";
        }
    }

    /** The reachable primary that outranks every other reachable primary, this node's included. */
    public Optional<Node> rightfulPrimary() {
        Node best = self.primary() ? self : null;
        for (Node p : peers) {
            if (p.primary() && (best == null || p.outranks(best))) {
                best = p;
            }
        }
        return Optional.ofNullable(best);
    }

    public Truth withPeers(List<Node> newPeers, boolean areFresh) {
        return new Truth(self, List.copyOf(newPeers), areFresh);
    }
}
