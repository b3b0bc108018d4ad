package dev.vip.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vip.core.Json;
import dev.vip.core.Vip;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the control socket answers, without a socket, root or sleeps: a fake daemon records what it was asked. */
class AnswersTest {
    private static final Vip VIP = Vip.of("eth0", "198.51.100.10/32", "eth0:0");
    private static final int POSTGRES = 101;
    private static final int POSTGRES_GID = 104;
    private static final int BOB = 1001;

    private static final Authorizer.Accounts ACCOUNTS = new Authorizer.Accounts() {
        @Override
        public Optional<String> name(int uid) {
            return Optional.of(uid == POSTGRES ? "postgres" : "user" + uid);
        }

        @Override
        public Optional<Integer> primaryGroup(int uid) {
            return Optional.of(uid == POSTGRES ? POSTGRES_GID : uid);
        }

        @Override
        public Set<String> members(int gid) {
            return Set.of();
        }
    };

    /** The daemon's side, recording every call. */
    private static final class FakeDaemon implements Answers.Daemon {
        final List<String> calls = new ArrayList<>();
        int counted;
        int countedRefused;

        @Override
        public Vip vip() {
            return VIP;
        }

        @Override
        public Json status() {
            calls.add("status");
            return new Json().put("ok", true).put("held", false);
        }

        @Override
        public boolean pause(Requester who) {
            calls.add("pause by " + who);
            return true;
        }

        @Override
        public boolean resume(Requester who) {
            calls.add("resume by " + who);
            return false;
        }

        @Override
        public Json claim(Requester who) {
            calls.add("claim by " + who);
            return new Json().put("ok", true).put("changed", true);
        }

        @Override
        public Json release(Requester who, boolean force) {
            calls.add("release" + (force ? " force" : "") + " by " + who);
            return new Json().put("ok", true).put("changed", true);
        }

        @Override
        public void countRequest(boolean refused) {
            if (refused) {
                countedRefused++;
            } else {
                counted++;
            }
        }
    }

    private final FakeDaemon daemon = new FakeDaemon();
    private final List<String> log = new ArrayList<>();
    private long now = 1_000_000;
    private final Answers answers = new Answers(new Authorizer(Set.of(), Set.of(POSTGRES_GID), ACCOUNTS), daemon,
            log::add, () -> now);

    private static Answers.Peer peer(int uid) {
        return new Answers.Peer(uid, uid == POSTGRES ? POSTGRES_GID : uid, 4242);
    }

    @Test
    void anyoneMayAskTheStatusAndItIsNotCounted() {
        Json reply = answers.answer("status", peer(BOB));
        assertTrue(reply.flag("ok"));
        assertEquals(List.of("status"), daemon.calls);
        assertEquals(0, daemon.counted + daemon.countedRefused);
    }

    @Test
    void anAllowedGroupClaimsAndReleasesAndIsLogged() {
        assertTrue(answers.answer("claim eth0 198.51.100.10/32", peer(POSTGRES)).flag("changed"));
        assertTrue(answers.answer("release eth0 198.51.100.10/32", peer(POSTGRES)).flag("ok"));
        assertEquals(List.of("claim by socket uid 101 pid 4242", "release by socket uid 101 pid 4242"), daemon.calls);
        assertEquals(2, daemon.counted);
        assertEquals(List.of("request from socket uid 101 pid 4242: claim",
                "request from socket uid 101 pid 4242: release"), log);
    }

    @Test
    void anotherUserIsRefusedByNameOfWhatHeMayNotDo() {
        Json reply = answers.answer("claim eth0 198.51.100.10/32", peer(BOB));
        assertFalse(reply.flag("ok"));
        assertTrue(reply.flag("refused"));
        assertEquals("permission denied: uid 1001 may not claim the VIP (allowed: root and the daemon's "
                + "--allow-user/--allow-group)", reply.string("error"));
        assertEquals(List.of(), daemon.calls);
        assertEquals(1, daemon.countedRefused);
    }

    @Test
    void pauseAndResumeNeedTheSameRight() {
        assertTrue(answers.answer("pause", peer(BOB)).flag("refused"));
        Json paused = answers.answer("pause", peer(POSTGRES));
        assertTrue(paused.flag("ok") && paused.flag("changed") && paused.flag("paused"));
        Json resumed = answers.answer("resume", peer(0));
        assertTrue(resumed.flag("ok"));
        assertFalse(resumed.flag("changed"));
        assertFalse(resumed.flag("paused"));
        assertEquals(List.of("pause by socket uid 101 pid 4242", "resume by socket uid 0 pid 4242"), daemon.calls);
    }

    @Test
    void onlyRootForcesARelease() {
        Json reply = answers.answer("release eth0 198.51.100.10/32 force", peer(POSTGRES));
        assertTrue(reply.flag("refused"));
        assertEquals("permission denied: only root may force a release", reply.string("error"));
        assertTrue(answers.answer("release eth0 198.51.100.10/32 force", peer(0)).flag("ok"));
        assertEquals(List.of("release force by socket uid 0 pid 4242"), daemon.calls);
        assertEquals("request from socket uid 0 pid 4242: release (forced)", log.get(log.size() - 1));
    }

    @Test
    void anotherVipIsUnmanagedSoThatTheCallerActsDirectly() {
        Json reply = answers.answer("claim eth0 198.51.100.11/32", peer(0));
        assertFalse(reply.flag("ok"));
        assertTrue(reply.flag("unmanaged"));
        assertFalse(reply.flag("refused"));
        assertEquals("this daemon manages 198.51.100.10/32 on eth0", reply.string("error"));
        assertEquals(List.of(), daemon.calls);
    }

    @Test
    void malformedAndUnreadableRequestsAreAnsweredNotActedOn() {
        assertEquals("unknown request 'claim eth0': " + Request.GRAMMAR,
                answers.answer("claim eth0", peer(0)).string("error"));
        assertEquals("a request is one line: claim|release IF CIDR, pause, resume or status",
                answers.answer(null, peer(0)).string("error"));
        assertEquals(List.of(), daemon.calls);
        assertEquals(2, daemon.countedRefused);
    }

    @Test
    void refusalsAreLoggedOnceAndThenCountedPerInterval() {
        for (int i = 0; i < 5; i++) {
            answers.answer("claim eth0 198.51.100.10/32", peer(BOB));
        }
        assertEquals(List.of("refused claim (uid 1001 is not an allowed user or group member) from socket uid 1001 "
                + "pid 4242"), log);
        now += Answers.REFUSAL_LOG_MS;
        answers.answer("nonsense", peer(BOB));
        assertEquals(2, log.size());
        assertEquals("refused 5 requests since the last such line; the last: 'nonsense' (malformed) from socket "
                + "uid 1001 pid 4242", log.get(1));
        assertEquals(6, daemon.countedRefused);
    }
}
