package dev.vip.core.daemon;

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
    public enum Role { PRIMARY, STANDBY, UNREACHABLE }

    /**
     * One PostgreSQL server.
     *
     * @param timeline the current timeline of a primary ({@code pg_walfile_name(pg_current_wal_lsn())},
     *                 which changes at promotion, unlike the checkpoint's); 0 when not a primary
     * @param detail   why it is unreachable, or a short description; for logs and status
     */
    public record Node(int id, String name, Role role, long timeline, String detail) {
        public static Node primary(int id, String name, long timeline) {
            return new Node(id, name, Role.PRIMARY, timeline, "primary on timeline " + timeline);
        }

        public static Node standby(int id, String name) {
            return new Node(id, name, Role.STANDBY, 0, "standby");
        }

        public static Node unreachable(int id, String name, String why) {
            return new Node(id, name, Role.UNREACHABLE, 0, why);
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
