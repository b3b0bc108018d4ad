package dev.vip.core.daemon;

import static dev.vip.core.daemon.Arbiter.Action.DEFEND;
import static dev.vip.core.daemon.Arbiter.Action.HOLD;
import static dev.vip.core.daemon.Arbiter.Action.REFUSE;
import static dev.vip.core.daemon.Arbiter.Action.RELEASE;
import static dev.vip.core.daemon.Arbiter.Action.WAIT;
import static dev.vip.core.daemon.Arbiter.Trigger.ADDRESS_REMOVED;
import static dev.vip.core.daemon.Arbiter.Trigger.CLAIM_REQUEST;
import static dev.vip.core.daemon.Arbiter.Trigger.FORCED_RELEASE;
import static dev.vip.core.daemon.Arbiter.Trigger.FOREIGN_ANNOUNCEMENT;
import static dev.vip.core.daemon.Arbiter.Trigger.LINK_UP;
import static dev.vip.core.daemon.Arbiter.Trigger.RELEASE_REQUEST;
import static dev.vip.core.daemon.Arbiter.Trigger.START;
import static dev.vip.core.daemon.Arbiter.Trigger.TICK;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vip.core.daemon.Arbiter.Action;
import dev.vip.core.daemon.Arbiter.Standing;
import dev.vip.core.daemon.Arbiter.Trigger;
import dev.vip.core.daemon.Truth.Node;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The primary VIP's decision: PostgreSQL's truth, the kernel's presence and a trigger in, an action out. */
class ArbiterTest {
    // this node is node 1 in every row
    private static Node primary(int id, long timeline) {
        return Node.primary(id, "n" + id, timeline);
    }

    private static Node standby(int id) {
        return Node.standby(id, "n" + id);
    }

    private static Node silent(int id) {
        return Node.unreachable(id, "n" + id, "connection refused");
    }

    private static Truth truth(Node self, Node... peers) {
        return new Truth(self, List.of(peers), true);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // what, truth, VIP present here, trigger -> action, standing
                row("sole primary, VIP absent: a lost promotion event is made up", truth(primary(1, 2), silent(2)),
                        false, TICK, HOLD, Standing.RIGHTFUL),
                row("sole primary holding it: nothing to do", truth(primary(1, 2), standby(2)), true, TICK, WAIT,
                        Standing.RIGHTFUL),
                row("promotion event on the new primary", truth(primary(1, 2), silent(2)), false, CLAIM_REQUEST, HOLD,
                        Standing.RIGHTFUL),
                row("the second promotion event: announce again (idempotent)", truth(primary(1, 2), silent(2)), true,
                        CLAIM_REQUEST, HOLD, Standing.RIGHTFUL),
                row("the old primary's stale cache entry does not stop a promoted node",
                        truth(primary(1, 2), primary(2, 1)), false, CLAIM_REQUEST, HOLD, Standing.RIGHTFUL),
                row("forged promote on a standby", truth(standby(1), primary(2, 1)), false, CLAIM_REQUEST, REFUSE,
                        Standing.NOT_RIGHTFUL),
                row("forged promote on a standby that sees no primary", truth(standby(1), silent(2)), false,
                        CLAIM_REQUEST, REFUSE, Standing.NOT_RIGHTFUL),
                row("forged follow on the rightful primary", truth(primary(1, 1), standby(2)), true, RELEASE_REQUEST,
                        REFUSE, Standing.RIGHTFUL),
                row("forced release on the rightful primary", truth(primary(1, 1), standby(2)), true, FORCED_RELEASE,
                        RELEASE, Standing.RIGHTFUL),
                row("forced release when absent changes nothing", truth(primary(1, 1)), false, FORCED_RELEASE, WAIT,
                        Standing.RIGHTFUL),
                row("follow on a standby that still has it", truth(standby(1), primary(2, 2)), true, RELEASE_REQUEST,
                        RELEASE, Standing.NOT_RIGHTFUL),
                row("partition healed: the old primary sees the new one", truth(primary(1, 1), primary(2, 2)), true,
                        TICK, RELEASE, Standing.STALE),
                row("partition healed at link up: no announcement, a release", truth(primary(1, 1), primary(2, 2)),
                        true, LINK_UP, RELEASE, Standing.STALE),
                row("the new primary sees the stale one: defends", truth(primary(1, 2), primary(2, 1)), true, TICK,
                        DEFEND, Standing.RIGHTFUL),
                row("the new primary hears the stale one announce: defends", truth(primary(1, 2), primary(2, 1)), true,
                        FOREIGN_ANNOUNCEMENT, DEFEND, Standing.RIGHTFUL),
                row("the stale primary hears the new one: yields", truth(primary(1, 1), primary(2, 2)), true,
                        FOREIGN_ANNOUNCEMENT, RELEASE, Standing.STALE),
                row("a stray primary never claims", truth(primary(1, 1), primary(2, 2)), false, CLAIM_REQUEST, REFUSE,
                        Standing.STALE),
                row("a stray primary at start: nothing", truth(primary(1, 1), primary(2, 2)), false, START, WAIT,
                        Standing.STALE),
                row("two primaries on one timeline: the lower id wins", truth(primary(1, 3), primary(2, 3)), false, TICK,
                        HOLD, Standing.RIGHTFUL),
                row("two primaries on one timeline: the higher id yields", truth(primary(2, 3), primary(1, 3)), true,
                        TICK, RELEASE, Standing.STALE),
                row("three nodes: the highest timeline among the reachable",
                        truth(primary(1, 2), primary(2, 3), standby(3)), true, TICK, RELEASE, Standing.STALE),
                row("start-up with the address: announce only when rightful", truth(primary(1, 2), standby(2)), true,
                        START, HOLD, Standing.RIGHTFUL),
                row("link up while rightful: announce", truth(primary(1, 2), silent(2)), true, LINK_UP, HOLD,
                        Standing.RIGHTFUL),
                row("address removed behind our back: repaired", truth(primary(1, 2)), false, ADDRESS_REMOVED, HOLD,
                        Standing.RIGHTFUL),
                row("address removed on a standby: stays removed", truth(standby(1), primary(2, 2)), false,
                        ADDRESS_REMOVED, WAIT, Standing.NOT_RIGHTFUL),
                row("a standby holding it at start lets it go", truth(standby(1), silent(2)), true, START, RELEASE,
                        Standing.NOT_RIGHTFUL),
                // no information
                row("no answer anywhere, holding: keep it (a failed check moves nothing)", truth(silent(1), silent(2)),
                        true, TICK, WAIT, Standing.UNKNOWN),
                row("no answer anywhere: no announcement at link up", truth(silent(1), silent(2)), true, LINK_UP, WAIT,
                        Standing.UNKNOWN),
                row("no answer anywhere: no repair", truth(silent(1), silent(2)), false, ADDRESS_REMOVED, WAIT,
                        Standing.UNKNOWN),
                row("no answer anywhere: no claim", truth(silent(1), silent(2)), false, CLAIM_REQUEST, REFUSE,
                        Standing.UNKNOWN),
                row("no answer here, and another host announces: yield (nothing of ours to contradict it)",
                        truth(silent(1), silent(2)), true, FOREIGN_ANNOUNCEMENT, RELEASE, Standing.UNKNOWN),
                row("no answer here, a primary elsewhere: let go", truth(silent(1), primary(2, 2)), true, TICK, RELEASE,
                        Standing.NOT_RIGHTFUL),
                row("no peers known at all, rightful alone", truth(primary(1, 1)), false, START, HOLD,
                        Standing.RIGHTFUL));
    }

    private static Arguments row(String what, Truth truth, boolean present, Trigger trigger, Action action,
                                 Standing standing) {
        return Arguments.of(what, truth, present, trigger, action, standing);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String what, Truth truth, boolean present, Trigger trigger, Action action, Standing standing) {
        Arbiter.Verdict v = Arbiter.decide(truth, present, trigger);
        assertEquals(action, v.action(), what + ": " + v.reason());
        assertEquals(standing, v.standing(), what + ": " + v.reason());
    }

    @Test
    void aFlappingLocalServerNeverMovesAHeldVip() {
        // the local server answers, then not, then again, for a while; nothing else says otherwise
        Truth up = truth(primary(1, 4), standby(2));
        Truth down = truth(silent(1), standby(2));
        for (int i = 0; i < 20; i++) {
            Truth t = i % 3 == 0 ? down : up;
            assertEquals(WAIT, Arbiter.decide(t, true, TICK).action(), "round " + i);
        }
    }

    @Test
    void aFlappingPeerNeverMovesItFromTheRightfulPrimaryNorOntoTheStaleOne() {
        // node 2 is a stale primary that comes and goes from sight (a flapping link)
        for (int i = 0; i < 20; i++) {
            Node peer = i % 2 == 0 ? primary(2, 1) : silent(2);
            Action onNew = Arbiter.decide(truth(primary(1, 2), peer), true, TICK).action();
            assertEquals(peer.primary() ? DEFEND : WAIT, onNew, "the new primary, round " + i);
        }
        // seen from the stale side: it holds only while it sees nothing better, and never claims on request
        assertEquals(RELEASE, Arbiter.decide(truth(primary(2, 1), primary(1, 2)), true, TICK).action());
        assertEquals(WAIT, Arbiter.decide(truth(primary(2, 1), primary(1, 2)), false, TICK).action());
        assertEquals(REFUSE, Arbiter.decide(truth(primary(2, 1), primary(1, 2)), false, CLAIM_REQUEST).action());
    }

    @Test
    void everyNodeAgreesOnTheRightfulPrimary() {
        List<Node> nodes = List.of(primary(1, 5), primary(2, 7), standby(3), primary(4, 7));
        for (Node self : nodes) {
            List<Node> peers = nodes.stream().filter(n -> n != self).toList();
            assertEquals(2, new Truth(self, peers, true).rightfulPrimary().orElseThrow().id(), "seen from " + self);
        }
    }

    private static Node watching(int id, int upstream, int lastSeen, boolean paused) {
        return Node.standby(id, "n" + id, new Truth.Watch(upstream, lastSeen, paused));
    }

    private static final Duration DOUBT = Duration.ofSeconds(4);

    static Stream<Arguments> doubts() {
        Node fresh = watching(2, 1, 1, false);
        Node lost = watching(2, 1, 9, false);
        return Stream.of(
                // what, truth, present, link up, trigger -> action, standing
                Arguments.of("a standby's repmgrd sees us: hold", truth(primary(1, 3), fresh, standby(3)), true, true,
                        TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("a standby's repmgrd has just started (not looked yet): no doubt begins, hold",
                        truth(primary(1, 3), unlooked(2, false), standby(3)), true, true, TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("a standby's repmgrd has not reached us for 4 s since its server restarted, and it does "
                        + "not stream from us: let go", truth(primary(1, 3), unlooked(2, false, 4), standby(3)), true,
                        true, TICK, RELEASE, Standing.DOUBTED),
                Arguments.of("the same while it streams from us (it restarted and follows us already): hold",
                        truth(primary(1, 3), unlooked(2, false, 4).following(Duration.ofSeconds(2)), standby(3)), true,
                        true, TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("the same, its repmgrd paused: hold",
                        truth(primary(1, 3), unlooked(2, true, 60), standby(3)), true, true, TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("back from a partition while a standby's repmgrd fails over: let go",
                        truth(primary(1, 3), lost, standby(3)), true, true, LINK_UP, RELEASE, Standing.DOUBTED),
                Arguments.of("in doubt: no repair", truth(primary(1, 3), lost), false, true, ADDRESS_REMOVED, WAIT,
                        Standing.DOUBTED),
                Arguments.of("in doubt: a claim request is refused", truth(primary(1, 3), lost), false, true,
                        CLAIM_REQUEST, REFUSE, Standing.DOUBTED),
                Arguments.of("just under the doubt: hold", truth(primary(1, 3), watching(2, 1, 3, false)), true, true,
                        TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("exactly the doubt: let go", truth(primary(1, 3), watching(2, 1, 4, false)), true, true,
                        TICK, RELEASE, Standing.DOUBTED),
                Arguments.of("a paused repmgrd does not fail over: hold", truth(primary(1, 3), watching(2, 1, 60, true)),
                        true, true, TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("a repmgrd watching another node says nothing of us",
                        truth(primary(1, 3), watching(2, 3, 60, false)), true, true, TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("the doubt ends: the VIP comes back", truth(primary(1, 3), fresh), false, true, TICK, HOLD,
                        Standing.RIGHTFUL),
                Arguments.of("the doubter was promoted: stale, not doubted", truth(primary(1, 3), primary(2, 4)), true,
                        true, TICK, RELEASE, Standing.STALE),
                Arguments.of("link down: let go", truth(primary(1, 3), fresh), true, false, Trigger.LINK_DOWN, RELEASE,
                        Standing.DOUBTED),
                Arguments.of("link down: no repair, no hold on a tick", truth(primary(1, 3), fresh), false, false, TICK,
                        WAIT, Standing.DOUBTED),
                Arguments.of("cut off from both others for long enough: let go",
                        truth(primary(1, 3), mute(2, 5), mute(3, 4)), true, true, TICK, RELEASE, Standing.DOUBTED),
                Arguments.of("cut off from both others, not yet for long: hold",
                        truth(primary(1, 3), mute(2, 5), mute(3, 3)), true, true, TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("one other silent, the other refusing (its host is up): not cut off",
                        truth(primary(1, 3), mute(2, 60), silent(3)), true, true, TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("two nodes: the standby's death is not told from our isolation: hold",
                        truth(primary(1, 3), mute(2, 300)), true, true, TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("a standby in doubt never gets it", truth(standby(1), lost), false, true, CLAIM_REQUEST,
                        REFUSE, Standing.NOT_RIGHTFUL),
                Arguments.of("our server hangs and a standby's repmgrd has lost sight of it: let go (it is failing "
                        + "over; the hung server may take writes the new primary never has when it continues)",
                        truth(silent(1), lost, standby(3)), true, true, TICK, RELEASE, Standing.DOUBTED),
                Arguments.of("our server hangs, the standbys' repmgrd still see it: keep (our connection's trouble)",
                        truth(silent(1), fresh, standby(3)), true, true, TICK, WAIT, Standing.UNKNOWN),
                Arguments.of("our server hangs, its watcher's repmgrd paused: keep",
                        truth(silent(1), watching(2, 1, 60, true), standby(3)), true, true, TICK, WAIT, Standing.UNKNOWN),
                Arguments.of("our server hangs and our link is down: let go",
                        truth(silent(1), fresh), true, false, Trigger.LINK_DOWN, RELEASE, Standing.DOUBTED),
                Arguments.of("our server hangs and we are cut off from both others: let go",
                        truth(silent(1), mute(2, 5), mute(3, 4)), true, true, TICK, RELEASE, Standing.DOUBTED),
                Arguments.of("our server hangs and another primary answers: not rightful (no doubt needed)",
                        truth(silent(1), lost, primary(3, 4)), true, true, TICK, RELEASE, Standing.NOT_RIGHTFUL),
                Arguments.of("a standby of ours whose server hangs, with a repmgrd cascading from it at a loss, never "
                        + "claims", truth(silent(1), lost), false, true, CLAIM_REQUEST, REFUSE, Standing.DOUBTED),
                Arguments.of("a witness in sight: not cut off",
                        truth(primary(1, 3), mute(2, 60), Node.witness(3, "w")), true, true, TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("a witness is never the primary", truth(primary(2, 1), Node.witness(1, "w")), false, true,
                        START, HOLD, Standing.RIGHTFUL),
                Arguments.of("forced release in doubt", truth(primary(1, 3), lost), true, true, FORCED_RELEASE, RELEASE,
                        Standing.DOUBTED),
                Arguments.of("a repmgrd stale for a minute, its standby streaming from us steadily for 3 x the doubt: hold",
                        truth(primary(1, 3), watching(2, 1, 60, false).following(Duration.ofSeconds(12)), standby(3)),
                        true, true, TICK, WAIT, Standing.RIGHTFUL),
                Arguments.of("the same, streaming steadily for less than that: let go",
                        truth(primary(1, 3), watching(2, 1, 60, false).following(Duration.ofMillis(11_999)), standby(3)),
                        true, true, TICK, RELEASE, Standing.DOUBTED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doubts")
    void aPrimaryInDoubtLetsGo(String what, Truth truth, boolean present, boolean linkUp, Trigger trigger,
                               Action action, Standing standing) {
        Arbiter.Verdict v = Arbiter.decide(truth, present, linkUp, trigger, DOUBT, null);
        assertEquals(action, v.action(), what + ": " + v.reason());
        assertEquals(standing, v.standing(), what + ": " + v.reason());
    }

    private static Node unlooked(int id, boolean paused) {
        return unlooked(id, paused, 1);
    }

    private static Node unlooked(int id, boolean paused, int seconds) {
        return Node.standby(id, "n" + id, Truth.Watch.notYetLooked(paused, Duration.ofSeconds(seconds)));
    }

    private static Node mute(int id, int seconds) {
        return Node.silent(id, "n" + id, "connect timed out", Duration.ofSeconds(seconds));
    }

    static Stream<Arguments> endsOfDoubt() {
        Duration d = Duration.ofSeconds(6); // in doubt for 6 s: the link was down, or it was cut off
        return Stream.of(
                // what, truth, in doubt for -> action, standing
                Arguments.of("back, but the standbys not asked yet: still in doubt",
                        new Truth(primary(1, 3), List.of(watching(2, 1, 0, false)), false), d, WAIT, Standing.DOUBTED),
                Arguments.of("back, a standby still silent since the cut: still in doubt",
                        truth(primary(1, 3), watching(2, 1, 0, false), mute(3, 5)), d, WAIT, Standing.DOUBTED),
                Arguments.of("back after 2.5 s, a standby's repmgrd between its reconnection attempts (not seen us "
                        + "since, though not yet for long): still", truth(primary(1, 3), watching(2, 1, 2, false),
                        standby(3)), Duration.ofMillis(2500), WAIT, Standing.DOUBTED),
                Arguments.of("back, every repmgrd has seen us since: hold again",
                        truth(primary(1, 3), watching(2, 1, 0, false), watching(3, 1, 1, false)), d, HOLD,
                        Standing.RIGHTFUL),
                Arguments.of("back, a node silent since before the doubt (its host was down already): hold",
                        truth(primary(1, 3), watching(2, 1, 0, false), mute(3, 600)), d, HOLD, Standing.RIGHTFUL),
                Arguments.of("back, a node refusing (its PostgreSQL is down, it cannot be promoted): hold",
                        truth(primary(1, 3), watching(2, 1, 0, false), silent(3)), d, HOLD, Standing.RIGHTFUL),
                Arguments.of("back, a standby without repmgrd: nothing against it, hold",
                        truth(primary(1, 3), standby(2), standby(3)), d, HOLD, Standing.RIGHTFUL),
                Arguments.of("back, a standby's repmgrd runs but has not looked yet (restarted, or its server was): "
                        + "no good news from it, still in doubt", truth(primary(1, 3), watching(2, 1, 0, false),
                        unlooked(3, false)), d, WAIT, Standing.DOUBTED),
                Arguments.of("back, that repmgrd is paused (it will not fail over): hold",
                        truth(primary(1, 3), watching(2, 1, 0, false), unlooked(3, true)), d, HOLD, Standing.RIGHTFUL),
                Arguments.of("back, that standby streams from us steadily: it follows us, hold",
                        truth(primary(1, 3), watching(2, 1, 0, false), unlooked(3, false).following(Duration.ofSeconds(12))),
                        d, HOLD, Standing.RIGHTFUL),
                Arguments.of("back for long, a repmgrd left degraded (it never looks again), its standby streaming "
                        + "from us steadily for 3 x the doubt: hold again", truth(primary(1, 3),
                        watching(2, 1, 90, false).following(Duration.ofSeconds(12)), watching(3, 1, 0, false)),
                        Duration.ofSeconds(60), HOLD, Standing.RIGHTFUL),
                Arguments.of("back, that standby streaming from us again, but not yet for long: still in doubt",
                        truth(primary(1, 3), watching(2, 1, 90, false).following(Duration.ofSeconds(5)),
                        watching(3, 1, 0, false)), Duration.ofSeconds(60), WAIT, Standing.DOUBTED),
                Arguments.of("back, and another node was promoted meanwhile: stale, it stays off",
                        truth(primary(1, 3), primary(2, 4), watching(3, 2, 0, false)), d, WAIT, Standing.STALE),
                Arguments.of("our server still hangs, the repmgrd see it again (it answers them): no doubt, but "
                        + "nothing added while it does not answer us", truth(silent(1), watching(2, 1, 0, false),
                        watching(3, 1, 1, false)), d, WAIT, Standing.UNKNOWN),
                Arguments.of("our server answers again as the primary while a repmgrd has not seen it since the doubt "
                        + "began (it is promoting): still in doubt", truth(primary(1, 3), watching(2, 1, 8, false),
                        watching(3, 1, 0, false)), d, WAIT, Standing.DOUBTED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endsOfDoubt")
    void aDoubtEndsOnlyOnGoodNewsFromEveryone(String what, Truth truth, Duration inDoubtFor, Action action,
                                              Standing standing) {
        Arbiter.Verdict v = Arbiter.decide(truth, false, true, TICK, DOUBT, inDoubtFor);
        assertEquals(action, v.action(), what + ": " + v.reason());
        assertEquals(standing, v.standing(), what + ": " + v.reason());
    }

    @Test
    void aClaimRequestIsDecidedTheSameWhetherTheAddressIsThereOrNot() {
        // the daemon's fast path relies on this: it asks the kernel nothing before a claim's first frame
        for (Truth t : List.of(truth(primary(1, 2), silent(2)), truth(primary(1, 1), primary(2, 2)),
                truth(standby(1), primary(2, 2)), truth(silent(1), silent(2)), truth(silent(1), primary(2, 1)))) {
            assertEquals(Arbiter.decide(t, true, CLAIM_REQUEST).action(), Arbiter.decide(t, false, CLAIM_REQUEST).action(),
                    t.toString());
        }
    }
}
