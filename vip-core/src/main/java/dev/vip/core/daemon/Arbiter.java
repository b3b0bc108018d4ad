package dev.vip.core.daemon;

import dev.vip.core.daemon.Truth.Node;
import java.util.Optional;

/**
 * Who holds a primary VIP, decided from PostgreSQL's truth alone (pure; a table in ArbiterTest). The
 * rightful holder is the node whose PostgreSQL is a writable primary on the highest timeline among those
 * this node can reach; on one timeline the lower node id wins, the same on every node. A node whose
 * PostgreSQL is not a primary never holds it. "No answer" is not "someone else holds it": a node whose
 * own server did not answer keeps what it has while nothing contradicts it, but claims nothing and
 * announces nothing. Events (repmgr's, the kernel's, other hosts' announcements) are only reasons to
 * look now: what they ask for is done only when the truth agrees.
 */
public final class Arbiter {
    /** Why the daemon is deciding now. */
    public enum Trigger {
        /** the periodic check */
        TICK,
        /** --refresh: time to announce again while held */
        REFRESH,
        /** a claim from repmgr's FIFO or the control socket */
        CLAIM_REQUEST,
        /** a release from the FIFO or the socket */
        RELEASE_REQUEST,
        /** a release the operator forced (root, --force) */
        FORCED_RELEASE,
        /** another host announced the VIP */
        FOREIGN_ANNOUNCEMENT,
        /** the interface came back up */
        LINK_UP,
        /** the daemon started */
        START,
        /** the kernel says the address was removed */
        ADDRESS_REMOVED
    }

    public enum Action {
        /** add the VIP if missing and announce it (a round now, the rest on schedule) */
        HOLD,
        /** announce once more, now: a stale holder or a client must see us */
        DEFEND,
        /** delete the VIP and stop announcing */
        RELEASE,
        /** change nothing */
        WAIT,
        /** refuse the request (and change nothing for it) */
        REFUSE
    }

    public enum Standing {
        /** this node's PostgreSQL is the rightful primary */
        RIGHTFUL,
        /** this node's PostgreSQL is a primary, but another reachable one outranks it */
        STALE,
        /** this node's PostgreSQL is a standby, or did not answer while another primary did */
        NOT_RIGHTFUL,
        /** this node's PostgreSQL did not answer and no other primary did either */
        UNKNOWN
    }

    /** The decision, with the node it found rightful (if any) and a reason for the log. */
    public record Verdict(Action action, Standing standing, Optional<Node> rightful, String reason) {
    }

    private Arbiter() {
    }

    /**
     * @param present whether the VIP is on this node's interface now (the kernel's word)
     */
    public static Verdict decide(Truth truth, boolean present, Trigger trigger) {
        Optional<Node> rightful = truth.rightfulPrimary();
        Node self = truth.self();
        Standing standing;
        String why;
        if (self.primary() && rightful.orElseThrow() == self) {
            standing = Standing.RIGHTFUL;
            why = "this node's PostgreSQL is the primary on timeline " + self.timeline()
                    + otherPrimaries(truth);
        } else if (self.primary()) {
            Node other = rightful.orElseThrow();
            standing = Standing.STALE;
            why = "this node's PostgreSQL is a stale primary: " + other + (other.timeline() > self.timeline()
                    ? " is on a higher timeline than ours (" + self.timeline() + ")"
                    : " is a primary on our timeline with a lower node id");
        } else if (self.role() == Truth.Role.STANDBY) {
            standing = Standing.NOT_RIGHTFUL;
            why = "this node's PostgreSQL is a standby" + rightful.map(r -> "; the primary is " + r).orElse("");
        } else if (rightful.isPresent()) {
            standing = Standing.NOT_RIGHTFUL;
            why = "this node's PostgreSQL does not answer (" + self.detail() + ") and " + rightful.get()
                    + " is a primary";
        } else {
            standing = Standing.UNKNOWN;
            why = "this node's PostgreSQL does not answer (" + self.detail() + ") and no other primary answers";
        }
        return new Verdict(action(standing, present, trigger, truth), standing, rightful, why);
    }

    private static Action action(Standing standing, boolean present, Trigger trigger, Truth truth) {
        if (trigger == Trigger.FORCED_RELEASE) {
            return present ? Action.RELEASE : Action.WAIT;
        }
        switch (standing) {
            case RIGHTFUL -> {
                if (trigger == Trigger.RELEASE_REQUEST) {
                    return Action.REFUSE;
                }
                if (!present) {
                    return Action.HOLD; // whatever woke us: the rightful primary holds it
                }
                return switch (trigger) {
                    case CLAIM_REQUEST, START, LINK_UP -> Action.HOLD; // announce again, as asked or after a gap
                    case FOREIGN_ANNOUNCEMENT, REFRESH -> Action.DEFEND;
                    // a stale primary in sight may still be answering ARP: make the clients look at us
                    case TICK -> stalePrimaryInSight(truth) ? Action.DEFEND : Action.WAIT;
                    default -> Action.WAIT;
                };
            }
            case STALE, NOT_RIGHTFUL -> {
                if (trigger == Trigger.CLAIM_REQUEST) {
                    return Action.REFUSE;
                }
                return present ? Action.RELEASE : Action.WAIT;
            }
            default -> { // UNKNOWN: keep what we have unless someone contradicts us; never add or announce
                if (trigger == Trigger.CLAIM_REQUEST) {
                    return Action.REFUSE;
                }
                boolean yield = trigger == Trigger.RELEASE_REQUEST || trigger == Trigger.FOREIGN_ANNOUNCEMENT;
                return present && yield ? Action.RELEASE : Action.WAIT;
            }
        }
    }

    private static boolean stalePrimaryInSight(Truth truth) {
        return truth.peers().stream().anyMatch(Node::primary);
    }

    private static String otherPrimaries(Truth truth) {
        StringBuilder out = new StringBuilder();
        for (Node p : truth.peers()) {
            if (p.primary()) {
                out.append(out.length() == 0 ? "; outranked: " : ", ").append(p);
            }
        }
        return out.toString();
    }
}
