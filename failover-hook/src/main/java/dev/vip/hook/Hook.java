package dev.vip.hook;

import dev.vip.core.Capability;
import dev.vip.core.Failure;

import dev.vip.core.daemon.RepmgrEvent;

/**
 * What repmgr's event means for this node, and doing it: the decisions are pure (and unit-tested
 * without PostgreSQL); the effects come from an {@link Effects} the caller provides.
 */
public final class Hook {
    /** The kernel, the daemon and PostgreSQL, as the hook needs them. */
    public interface Effects {
        Fence.Verdict fence();

        /** Adds and announces the VIP; returns whether it was newly added. */
        boolean claim() throws Exception;

        /** Deletes the VIP; returns whether it was there. */
        boolean release() throws Exception;
    }

    /** What happened, as one log line and an exit code. */
    public record Outcome(int exitCode, String line) {
    }

    /** Exit codes beyond the CLI's: a claim refused by fencing. */
    public static final int REFUSED = Failure.REFUSED;

    private Hook() {
    }

    /**
     * @param myNodeId this node's repmgr id, or null to trust %n (repmgr runs the hook on the node the
     *                 event is about, so %n is normally this node)
     * @param fence    whether to ask PostgreSQL before claiming
     */
    public static Outcome run(RepmgrEvent event, Integer myNodeId, boolean fence, Effects effects) {
        String what = "repmgr event " + event.event() + " (node " + event.nodeId() + ", success "
                + (event.success() ? 1 : 0) + ")";
        if (myNodeId != null && event.nodeId() != myNodeId) {
            return new Outcome(0, what + ": about node " + event.nodeId() + ", this is node " + myNodeId
                    + ": nothing to do");
        }
        try {
            switch (event.decision()) {
                case IGNORE -> {
                    return new Outcome(0, what + ": nothing to do"
                            + (!event.success() && event.event().endsWith("promote")
                            ? " (a failed promotion never claims)" : ""));
                }
                case RELEASE -> {
                    boolean was = effects.release();
                    return new Outcome(0, what + ": this node follows a primary: "
                            + (was ? "released the VIP" : "did not hold the VIP"));
                }
                case CLAIM -> {
                    if (fence) {
                        Fence.Verdict v = effects.fence();
                        if (!v.primary()) {
                            return new Outcome(REFUSED, what + ": not claiming the VIP: " + v.reason());
                        }
                    }
                    boolean added = effects.claim();
                    return new Outcome(0, what + ": " + (added ? "claimed the VIP"
                            : "already held the VIP (repmgr fires two events per promotion)")
                            + (fence ? "" : " (fencing skipped: --no-fence)"));
                }
                default -> throw new IllegalStateException();
            }
        } catch (Exception e) {
            // a missing capability is exit 4 and named, as for every command (Failure)
            Failure f = Failure.of(event.decision() == RepmgrEvent.Decision.RELEASE ? "release the VIP" : "claim the VIP",
                    e, Capability.CAP_NET_ADMIN, Capability.CAP_NET_RAW);
            return new Outcome(f.exitCode(), what + ": " + f.message());
        }
    }
}
