package dev.vip.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vip.core.Vip;
import dev.vip.netlink.ErrnoException;
import dev.vip.netlink.KernelDatagrams;
import dev.vip.netlink.KernelEvents;
import dev.vip.netlink.LinkMessage;
import dev.vip.netlink.ScriptedSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The daemon's kernel-event loop against a fake kernel (vip-native's test jar): the kernel's datagrams
 * decoded as in production, no root, no sleeps. The loop ends when every scripted subscription has
 * been read to its end.
 */
class KernelFollowerTest {
    private static final Vip VIP = Vip.of("eth0", "198.51.100.10/32", "eth0:0");
    private static final int UP = LinkMessage.IFF_UP | LinkMessage.IFF_RUNNING | LinkMessage.IFF_LOWER_UP;

    private final Deque<ScriptedSocket> subscriptions = new ArrayDeque<>();
    private final List<ScriptedSocket> opened = new ArrayList<>();
    private final List<String> told = new ArrayList<>();

    private final KernelFollower.Daemon daemon = new KernelFollower.Daemon() {
        @Override
        public boolean stopping() {
            return subscriptions.isEmpty() && opened.stream().allMatch(ScriptedSocket::drained);
        }

        @Override
        public void addressRemoved(String why) {
            told.add("look: " + why);
        }

        @Override
        public void link(boolean up) {
            told.add(up ? "link up" : "link down");
        }

        @Override
        public void linkUp() {
            told.add("up again");
        }

        @Override
        public void linkDown() {
            told.add("went down");
        }

        @Override
        public void log(String line) {
            told.add("log: " + line);
        }

        @Override
        public void pause(Duration d) {
            told.add("pause " + d.toMillis() + " ms");
        }
    };

    private ScriptedSocket subscription() {
        ScriptedSocket s = new ScriptedSocket();
        subscriptions.add(s);
        return s;
    }

    private void run() {
        new KernelFollower(VIP, () -> {
            ScriptedSocket s = subscriptions.poll();
            if (s == null) {
                throw new AssertionError("subscribed once too often");
            }
            opened.add(s);
            return new KernelEvents(s);
        }, daemon).run();
        assertTrue(opened.stream().allMatch(ScriptedSocket::closed), "every subscription closed");
    }

    private static InetAddress ip(String text) throws IOException {
        return InetAddress.getByName(text);
    }

    @Test
    void theVipRemovedIsTold() throws IOException {
        subscription().deliver(KernelDatagrams.address(false, 2, ip("198.51.100.10"), 32))
                .deliver(KernelDatagrams.address(true, 2, ip("198.51.100.99"), 32)) // another address: not ours
                .deliver(KernelDatagrams.address(true, 2, ip("198.51.100.10"), 32));
        run();
        assertEquals(List.of("look: the address was removed"), told);
    }

    @Test
    void theLinkGoingDownAndComingBackIsToldOnceEach() {
        subscription().deliver(KernelDatagrams.link(false, 2, "eth0", UP))                  // up, as it was
                .deliver(KernelDatagrams.link(false, 2, "eth0", LinkMessage.IFF_UP))         // carrier lost
                .deliver(KernelDatagrams.link(false, 2, "eth0", 0))                          // and down
                .deliver(KernelDatagrams.link(false, 3, "eth1", 0))                          // not its interface
                .deliver(KernelDatagrams.link(false, 2, "eth0", UP));
        run();
        assertEquals(List.of("link up", "link down", "went down", "link down", "link up", "up again"), told);
    }

    @Test
    void theInterfaceRemovedIsDown() {
        subscription().deliver(KernelDatagrams.link(true, 2, "eth0", UP));
        run();
        assertEquals(List.of("link down", "went down"), told);
    }

    @Test
    void lostEventsMeanResubscribingAndLookingAtOnce() throws IOException {
        subscription().failReceive(new ErrnoException("recvmsg", 105)); // ENOBUFS: the kernel dropped events
        subscription().deliver(KernelDatagrams.address(true, 2, ip("198.51.100.10"), 32));
        run();
        assertEquals(3, told.size(), told.toString());
        assertLoggedError(told.get(0));
        assertEquals(List.of("look: resubscribed to kernel events", "look: the address was removed"),
                told.subList(1, 3)); // no pause: the kernel's own error
    }

    @Test
    void anotherErrorPausesBeforeResubscribing() {
        subscription().failReceive(new IOException("socket closed under it"));
        subscription();
        run();
        assertEquals(List.of("log: kernel events: socket closed under it: resubscribing", "pause 200 ms",
                "look: resubscribed to kernel events"), told);
    }

    @Test
    void aDatagramTheCodecRefusesIsAnErrorNotADeadLoop() {
        ByteBuffer cut = KernelDatagrams.link(false, 2, "eth0", UP);
        cut.limit(cut.limit() - 6); // shorter than its header says
        subscription().deliver(cut);
        subscription().deliver(KernelDatagrams.link(false, 2, "eth0", 0));
        run();
        assertEquals(5, told.size(), told.toString());
        assertLoggedError(told.get(0));
        assertEquals(List.of("pause 200 ms", "look: resubscribed to kernel events", "link down", "went down"),
                told.subList(1, 5));
    }

    private static void assertLoggedError(String line) {
        assertTrue(line.startsWith("log: kernel events: ") && line.endsWith(": resubscribing"), line);
    }
}
