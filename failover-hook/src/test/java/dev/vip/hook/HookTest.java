package dev.vip.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vip.core.daemon.RepmgrEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The hook's decisions as a table: event in, effects and exit code out. No PostgreSQL, no kernel. */
class HookTest {

    /** Records what the hook did; the fence answers as told; the VIP is or is not already held. */
    static final class Recorder implements Hook.Effects {
        final List<String> done = new ArrayList<>();
        final boolean primary;
        boolean held;

        Recorder(boolean primary, boolean held) {
            this.primary = primary;
            this.held = held;
        }

        @Override
        public Fence.Verdict fence() {
            done.add("fence");
            return new Fence.Verdict(primary, primary ? "primary" : "the local PostgreSQL is in recovery");
        }

        @Override
        public boolean claim() {
            done.add("claim");
            boolean was = held;
            held = true;
            return !was;
        }

        @Override
        public boolean release() {
            done.add("release");
            boolean was = held;
            held = false;
            return was;
        }
    }

    @ParameterizedTest(name = "{0} {1} success={2} primary={3} held={4} fence={5} -> {6} exit {7}")
    @CsvSource({
        // event,                   node, ok, primary, held,  fence, effects,        exit
        "standby_promote,            1, 1, true,  false, true,  fence+claim,    0",
        "repmgrd_failover_promote,   1, 1, true,  false, true,  fence+claim,    0",
        "repmgrd_failover_promote,   1, 1, true,  true,  true,  fence+claim,    0", // the second of a pair
        "standby_promote,            1, 0, true,  false, true,  '',             0", // failed promotion
        "standby_promote,            1, 1, false, false, true,  fence,          5", // a standby: refused
        "standby_promote,            1, 1, false, false, false, claim,          0", // --no-fence
        "standby_promote,            2, 1, true,  false, true,  '',             0", // another node's event
        "standby_follow,             1, 1, true,  true,  true,  release,        0",
        "repmgrd_failover_follow,    1, 1, true,  true,  true,  release,        0",
        "node_rejoin,                1, 1, true,  true,  true,  release,        0",
        "node_rejoin,                1, 0, true,  false, true,  release,        0",
        "standby_switchover,         1, 1, true,  false, true,  '',             0",
        "repmgrd_upstream_disconnect, 1, 1, true, true,  true,  '',             0",
        "standby_register,           1, 1, true,  false, true,  '',             0",
    })
    void decides(String event, int node, int success, boolean primary, boolean held, boolean fence,
                 String effects, int exit) {
        Recorder r = new Recorder(primary, held);
        Hook.Outcome o = Hook.run(new RepmgrEvent(node, event, success == 1), 1, fence, r);
        assertEquals(exit, o.exitCode(), o.line());
        assertEquals(effects, String.join("+", r.done), o.line());
        assertTrue(o.line().startsWith("repmgr event " + event), o.line());
        assertEquals(1, o.line().lines().count());
    }

    @ParameterizedTest
    @CsvSource({"standby_promote", "repmgrd_failover_promote"})
    void twoEventsOfOnePromotionClaimOnce(String second) {
        Recorder r = new Recorder(true, false);
        Hook.Outcome first = Hook.run(new RepmgrEvent(1, "standby_promote", true), 1, true, r);
        Hook.Outcome then = Hook.run(new RepmgrEvent(1, second, true), 1, true, r);
        assertTrue(first.line().contains("claimed the VIP"), first.line());
        assertTrue(then.line().contains("already held"), then.line());
    }

    /** A claim or release that fails: the exit code by the kind of failure, as every command maps it. */
    @ParameterizedTest(name = "{0} failing with {1} -> exit {2}")
    @CsvSource({
        "standby_promote, EPERM,  4, 'cannot claim the VIP: operation not permitted (EPERM): needs CAP_NET_'",
        "standby_follow,  EACCES, 4, 'cannot release the VIP: permission denied (EACCES): needs CAP_NET_'",
        "standby_promote, ENODEV, 3, 'cannot claim the VIP: no such interface (ENODEV)'",
        "standby_promote, EBUSY,  3, 'cannot claim the VIP: device or resource busy (EBUSY) [RTM_NEWADDR]'",
    })
    void aFailedEffectMapsToTheDocumentedExitCode(String event, String errno, int exit, String line) {
        int value = jnr.constants.platform.Errno.valueOf(errno).intValue();
        Hook.Effects r = new Hook.Effects() {
            @Override
            public Fence.Verdict fence() {
                return new Fence.Verdict(true, "primary");
            }

            @Override
            public boolean claim() throws Exception {
                throw new dev.vip.netlink.ErrnoException("RTM_NEWADDR", value);
            }

            @Override
            public boolean release() throws Exception {
                throw new dev.vip.netlink.ErrnoException("RTM_DELADDR", value);
            }
        };
        Hook.Outcome o = Hook.run(new RepmgrEvent(1, event, true), 1, true, r);
        assertEquals(exit, o.exitCode(), o.line());
        assertTrue(o.line().contains(line), o.line());
    }
}
