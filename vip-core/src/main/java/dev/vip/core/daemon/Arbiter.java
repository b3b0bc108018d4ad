package dev.vip.core.daemon;

import dev.vip.core.daemon.Truth.Node;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Who holds a primary VIP, decided from PostgreSQL's truth alone (pure; a table in ArbiterTest). The
 * rightful holder is the node whose PostgreSQL is a writable primary on the highest timeline among those
 * this node can reach; on one timeline the lower node id wins, the same on every node. A node whose
 * PostgreSQL is not a primary never holds it. "No answer" is not "someone else holds it": a node whose
 * own server did not answer keeps what it has while nothing contradicts it, but claims nothing and
 * announces nothing. Events (repmgr's, the kernel's, other hosts' announcements) are only reasons to
 * look now: what they ask for is done only when the truth agrees.
 *
 * <p>A primary is not enough: the rightful primary holds the VIP only while nothing says that repmgr may
 * be promoting another node behind its back. It lets go (and claims nothing) while its link is down, while
 * a standby's repmgrd that watches it has not seen it for {@code doubtAfter} or longer (that repmgrd is
 * failing over, or about to), and while it has been cut off from every other node (two or more) for that
 * long. An old primary that comes back from a partition thus does not take writes that the standby
 * promoted meanwhile will never have: it waits until the standbys see it again (it holds it again) or one
 * of them is promoted (it is stale).
 *
 * <p>A standby's repmgrd is not the only witness: a standby that has answered this node on every look and
 * streamed from its PostgreSQL without a gap for {@link #steady(Duration)} (three times {@code doubtAfter})
 * is following it, not being promoted: a promotion ends the stream, and repmgrd runs a promotion it has
 * decided within seconds. Looks separated by a pause of the daemon itself (a frozen host) are not "without
 * a gap": the standby may have been promoting while nobody looked (the truth source starts its run again).
 * Such a standby's stale repmgrd (one left degraded after a partition, which may not look at its upstream
 * again until restarted) neither starts a doubt nor keeps one going.
 *
 * <p>A doubt ends on good news only, never on the lack of bad news: a standby whose repmgrd runs but has not
 * looked yet (started since the last look, or its server restarted and it has not reached its upstream
 * since) keeps the doubt going, as a silent node does, unless that standby streams from us steadily; and
 * starts one when it has not looked for {@code doubtAfter} while that standby does not stream from us (a
 * repmgrd that cannot reach us, with repmgr's "last seen" reset by its server's restart).
 *
 * <p>The same doubt makes a node whose own server does not answer let go of what it keeps (no other primary
 * in sight): a standby's repmgrd that has lost sight of that server is word from outside, not the lack of
 * an answer. A hung primary that continues just as repmgr promotes another node would otherwise take the
 * clients' writes on the old timeline through the VIP it kept, and with synchronous replication a standby
 * still attached to it acknowledges them: writes the promoted node never has.
 */
final class Arbiter {
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
        ADDRESS_REMOVED,
        /** the interface lost its link */
        LINK_DOWN
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
        /**
         * this node's PostgreSQL is the rightful primary as far as it can see (or does not answer, and no
         * other primary does), but repmgr may be promoting another node: a standby's repmgrd has lost sight
         * of it, it is cut off, or its link is down
         */
        DOUBTED,
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

    /** The default of {@code vip daemon --doubt-after}. */
    public static final Duration DEFAULT_DOUBT_AFTER = Duration.ofSeconds(4);

    /** How long a standby must have answered and streamed from this primary without a gap to vouch for it. */
    public static Duration steady(Duration doubtAfter) {
        return doubtAfter.multipliedBy(3);
    }

    private Arbiter() {
    }

    /** {@link #decide(Truth, boolean, boolean, Trigger, Duration, Duration)}: link up, default doubt, none yet. */
    public static Verdict decide(Truth truth, boolean present, Trigger trigger) {
        return decide(truth, present, true, trigger, DEFAULT_DOUBT_AFTER, null);
    }

    /**
     * @param present    whether the VIP is on this node's interface now (the kernel's word)
     * @param linkUp     whether the interface has its link (up, with a carrier)
     * @param doubtAfter how long a standby's repmgrd may go without seeing this primary, or this node
     *                   without an answer from any other, before a promotion elsewhere is feared
     * @param inDoubtFor for how long the decisions have been {@link Standing#DOUBTED} until now; null when the
     *                   last one was not. A doubt ends only on a fresh look in which the link is up, no node
     *                   has been silent since the doubt began, and every standby's repmgrd that watches this
     *                   node has seen it since then (or its standby has followed this one steadily since,
     *                   see {@link #steady(Duration)}): a repmgrd still between its reconnection attempts does
     *                   not count yet, as it may still promote
     */
    public static Verdict decide(Truth truth, boolean present, boolean linkUp, Trigger trigger, Duration doubtAfter,
                                 Duration inDoubtFor) {
        Optional<Node> rightful = truth.rightfulPrimary();
        Node self = truth.self();
        Standing standing;
        String why;
        boolean mayHold = self.primary() && rightful.orElseThrow() == self;
        boolean blind = self.role() == Truth.Role.UNREACHABLE && rightful.isEmpty();
        String doubt = mayHold || blind ? doubt(truth, linkUp, doubtAfter, inDoubtFor) : null;
        if (doubt != null) {
            standing = Standing.DOUBTED;
            why = (mayHold ? "this node's PostgreSQL is the primary on timeline " + self.timeline()
                    : "this node's PostgreSQL does not answer (" + self.detail() + ")") + ", but " + doubt
                    + ": not holding the VIP until that ends (a standby sees it again, or another node is promoted)";
        } else if (mayHold) {
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
            case DOUBTED, STALE, NOT_RIGHTFUL -> {
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

    /** Why repmgr may be promoting another node behind this primary's back, or null. */
    private static String doubt(Truth truth, boolean linkUp, Duration doubtAfter, Duration inDoubtFor) {
        if (!linkUp) {
            return "its interface has no link (no client reaches the VIP there, and the standbys may be promoting "
                    + "one of them)";
        }
        int me = truth.self().id();
        Duration steady = steady(doubtAfter);
        for (Node p : truth.peers()) {
            Truth.Watch w = watcherOf(p, me);
            if (w != null && w.lastSeenSecs() >= doubtAfter.toSeconds() && p.following().compareTo(steady) < 0) {
                return p.name() + "'s repmgrd has not seen it for " + w.lastSeenSecs() + " s (it is failing over, "
                        + "or about to)";
            }
            if (notYetLooked(p) && p.watch().unlookedFor().compareTo(doubtAfter) >= 0 && p.following().isZero()) {
                return p.name() + "'s repmgrd has not reached it for " + p.watch().unlookedFor().toMillis() + " ms "
                        + "since it or its server started, and " + p.name() + " does not stream from it (it may be "
                        + "failing over)";
            }
        }
        List<Node> peers = truth.peers();
        Duration cutOff = peers.stream().map(Node::silentFor).min(Duration::compareTo).orElse(Duration.ZERO);
        if (peers.size() >= 2 && cutOff.compareTo(doubtAfter) >= 0) {
            return "no other node has answered for " + cutOff.toMillis() + " ms (cut off: the others may be "
                    + "promoting one of them)";
        }
        if (inDoubtFor == null) {
            return null;
        }
        // in doubt already: it ends only on positive news from everyone who could be promoting
        if (!truth.fresh()) {
            return "it is in doubt (" + inDoubtFor.toMillis() + " ms) and the other nodes were not asked just now";
        }
        for (Node p : peers) {
            if (p.silent() && p.silentFor().compareTo(inDoubtFor) <= 0) {
                return "it is in doubt (" + inDoubtFor.toMillis() + " ms) and " + p.name() + " has not answered since";
            }
            if (p.following().compareTo(steady) >= 0) {
                continue; // it streams from us steadily: it is following us, whatever its repmgrd says
            }
            Truth.Watch w = watcherOf(p, me);
            if (w != null && w.lastSeenSecs() >= inDoubtFor.toSeconds()) {
                return "it is in doubt (" + inDoubtFor.toMillis() + " ms) and " + p.name() + "'s repmgrd has not seen "
                        + "it since (" + w.lastSeenSecs() + " s ago)";
            }
            if (notYetLooked(p)) {
                return "it is in doubt (" + inDoubtFor.toMillis() + " ms) and " + p.name() + "'s repmgrd runs but "
                        + "has not said yet whether it has seen it (just started, or its server restarted)";
            }
        }
        return null;
    }

    /**
     * The standby {@code p}'s running, unpaused repmgrd has not looked at its upstream yet: no good news,
     * and it may be counting its attempts to reach its primary before a promotion. It keeps a doubt going;
     * it starts one only after {@code doubtAfter} of it while {@code p} does not stream from us (every
     * repmgrd starts so, and a standby that restarted streams again within a second or two).
     */
    private static boolean notYetLooked(Node p) {
        Truth.Watch w = p.watch();
        return p.role() == Truth.Role.STANDBY && w != null && !w.paused() && w.unknown();
    }

    /** What the standby {@code p}'s running, unpaused repmgrd says when it watches node {@code me}, or null. */
    private static Truth.Watch watcherOf(Node p, int me) {
        Truth.Watch w = p.watch();
        return p.role() == Truth.Role.STANDBY && w != null && !w.paused() && w.upstream() == me ? w : null;
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
