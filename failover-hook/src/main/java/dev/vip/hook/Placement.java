package dev.vip.hook;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where the standby VIP goes, from the primary's view of its standbys (pure, unit-tested as a table):
 * on the standby with the lowest repmgr node id among those that stream and, with a maximum replay lag,
 * lag no more than that; when none does, back on the primary (the node holding the primary VIP). The
 * standby holding it keeps it while its lag stays within twice the maximum, so a lag hovering around the
 * limit does not move it back and forth; a standby that stops streaming loses it at once. Every node
 * decides from the same view, so they agree without talking to each other.
 */
final class Placement {
    /** A standby as repmgr's metadata names it and as the primary's pg_stat_replication sees it. */
    public record Standby(int nodeId, String name, boolean streaming, Duration replayLag) {
    }

    /** {@code holder}: the chosen standby's node id; empty means the primary keeps the standby VIP. */
    public record Decision(Optional<Integer> holder, String reason) {
        public boolean onPrimary() {
            return holder.isEmpty();
        }

        /** Whether this node should hold the standby VIP. */
        public boolean holds(int self, boolean holdsPrimaryVip) {
            return holder.map(h -> h == self).orElse(holdsPrimaryVip);
        }
    }

    private Placement() {
    }

    /**
     * @param maxLag  the largest replay lag a standby may have to get the VIP; null for no limit
     * @param current the node id that holds it now, as this node last decided; null when the primary does
     */
    public static Decision decide(List<Standby> standbys, Duration maxLag, Integer current) {
        if (current != null) {
            Optional<Standby> holder = standbys.stream().filter(s -> s.nodeId() == current).findFirst();
            if (holder.isPresent() && holder.get().streaming() && within(holder.get(), maxLag == null ? null
                    : maxLag.multipliedBy(2))) {
                return new Decision(Optional.of(current), holder.get().name() + " (node " + current
                        + ") streams" + lag(holder.get()) + ": it keeps the standby VIP");
            }
        }
        Optional<Standby> best = standbys.stream().filter(Standby::streaming).filter(s -> within(s, maxLag))
                .min(Comparator.comparingInt(Standby::nodeId));
        if (best.isPresent()) {
            Standby s = best.get();
            return new Decision(Optional.of(s.nodeId()), s.name() + " (node " + s.nodeId() + ") streams" + lag(s)
                    + ": the lowest node id among " + eligible(standbys, maxLag) + " eligible standby(s)");
        }
        return new Decision(Optional.empty(), standbys.isEmpty() ? "no standby is registered: on the primary"
                : "no standby streams" + (maxLag == null ? "" : " within " + maxLag.toMillis() + " ms of lag")
                + ": on the primary");
    }

    private static long eligible(List<Standby> standbys, Duration maxLag) {
        return standbys.stream().filter(Standby::streaming).filter(s -> within(s, maxLag)).count();
    }

    private static boolean within(Standby s, Duration limit) {
        return limit == null || s.replayLag() == null || s.replayLag().compareTo(limit) <= 0;
    }

    private static String lag(Standby s) {
        return s.replayLag() == null ? "" : " (replay lag " + s.replayLag().toMillis() + " ms)";
    }
}
