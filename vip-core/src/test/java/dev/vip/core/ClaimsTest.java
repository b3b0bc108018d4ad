package dev.vip.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vip.netlink.AddressMessage;
import dev.vip.netlink.FakeKernel;
import dev.vip.netlink.LinkMessage;
import dev.vip.netlink.MacAddress;
import dev.vip.netlink.RtnetlinkClient;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one claim path, against vip-native's fake kernel and recording frame sinks (no root, no pcap): the
 * first round leaves after the kernel has the address, a failed send is sent again through a new handle,
 * the hook's "present: leave it" sends nothing.
 */
class ClaimsTest {
    private static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");
    private static final int UP = LinkMessage.IFF_UP | LinkMessage.IFF_RUNNING | LinkMessage.IFF_LOWER_UP;
    private static final Vip VIP = Vip.of("eth0", "198.51.100.10/32", "eth0:0");
    private static final IOException DOWN = new IOException("send on eth0: Network is down");

    private final FakeKernel kernel = new FakeKernel()
            .link(1, "lo", LinkMessage.IFF_UP | LinkMessage.IFF_LOOPBACK, MacAddress.ZERO)
            .link(2, "eth0", UP, MAC)
            .link(3, "tun0", UP, null);
    private final List<Sink> opened = new ArrayList<>();
    /** Sends that fail, in order, across every handle opened; then they succeed. */
    private int failingSends;
    private boolean openFails;

    /** One opened handle: what it sent, and how many addresses the kernel had at each send. */
    private final class Sink implements FrameSink {
        final List<byte[]> frames = new ArrayList<>();
        final List<Integer> addressesAtSend = new ArrayList<>();
        boolean closed;

        @Override
        public void send(byte[] frame) throws IOException {
            if (closed) {
                throw new IOException("closed");
            }
            if (failingSends > 0) {
                failingSends--;
                throw DOWN;
            }
            frames.add(frame);
            addressesAtSend.add(kernel.addresses().size());
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private Claims open(Vip vip, boolean announce) throws IOException {
        AddressManager addresses = new AddressManager(new RtnetlinkClient(kernel, Duration.ofMillis(50)));
        return new Claims(vip, AddOptions.DEFAULT, ArpMode.BOTH, addresses, !announce ? null : name -> {
            if (openFails) {
                throw new IOException("pcap: open " + name + ": No such device");
            }
            Sink s = new Sink();
            opened.add(s);
            return s;
        });
    }

    private int framesSent() {
        return opened.stream().mapToInt(s -> s.frames.size()).sum();
    }

    @Test
    void theFirstRoundLeavesAfterTheKernelHasTheAddress() throws Exception {
        try (Claims claims = open(VIP, true)) {
            assertEquals(1, opened.size(), "the handle is opened before the add");
            assertEquals(List.of(), kernel.requests().stream().filter("RTM_NEWADDR"::equals).toList());
            Claims.Claimed c = claims.claim(Claims.IfPresent.ANNOUNCE, Claims.THROW);
            assertTrue(c.added());
            assertEquals(2, c.sent()); // ARP request and reply
            assertEquals(List.of(1, 1), opened.get(0).addressesAtSend);
            assertEquals(MAC, claims.mac());
            assertEquals("eth0:0", c.presence().address().orElseThrow().label());
            java.net.Inet4Address v4 = (java.net.Inet4Address) VIP.prefix().address();
            assertArrayEquals(Frames.arpAnnouncementRequest(MAC, v4), opened.get(0).frames.get(0));
            assertArrayEquals(Frames.arpAnnouncementReply(MAC, v4), opened.get(0).frames.get(1));
        }
    }

    @Test
    void aClaimOfAPresentAddressAnnouncesAgainOrLeavesItAsAsked() throws Exception {
        kernel.address(there());
        try (Claims claims = open(VIP, true)) {
            Claims.Claimed again = claims.claim(Claims.IfPresent.ANNOUNCE, Claims.THROW);
            assertFalse(again.added());
            assertEquals(2, again.sent());
            Claims.Claimed left = claims.claim(Claims.IfPresent.LEAVE, Claims.THROW);
            assertFalse(left.added());
            assertEquals(0, left.sent());
            assertEquals(2, framesSent());
            assertEquals(0, kernel.requests().stream().filter("RTM_NEWADDR"::equals).count());
        }
    }

    @Test
    void aFailedSendIsSentAgainThroughANewHandle() throws Exception {
        List<Boolean> told = new ArrayList<>();
        try (Claims claims = open(VIP, true)) {
            failingSends = 1;
            Claims.Claimed c = claims.claim(Claims.IfPresent.ANNOUNCE, (e, retrying) -> told.add(retrying));
            assertEquals(2, c.sent());
            assertEquals(List.of(true), told);
            assertEquals(2, opened.size());
            assertTrue(opened.get(0).closed);
            assertEquals(2, opened.get(1).frames.size());
        }
    }

    @Test
    void aRoundThatFailsTwiceIsLostOrThrownAsTheCallerSays() throws Exception {
        List<Boolean> told = new ArrayList<>();
        try (Claims claims = open(VIP, true)) {
            failingSends = 2;
            assertEquals(0, claims.round((e, retrying) -> told.add(retrying)));
            assertEquals(List.of(true, false), told);
            failingSends = 2;
            IOException e = assertThrows(IOException.class, () -> claims.round(Claims.THROW));
            assertSame(DOWN, e);
            assertEquals(2, claims.round(Claims.THROW), "the next round opens a handle again and sends");
        }
    }

    @Test
    void aHandleThatCannotBeReopenedIsTriedAgainAtTheNextRound() throws Exception {
        List<IOException> told = new ArrayList<>();
        try (Claims claims = open(VIP, true)) {
            failingSends = 1;
            openFails = true;
            assertEquals(0, claims.round((e, retrying) -> told.add(e)));
            assertEquals(2, told.size());
            assertTrue(told.get(1).getMessage().contains("No such device"), told.get(1).getMessage());
            openFails = false;
            assertEquals(2, claims.round(Claims.THROW));
            assertEquals(2, opened.size());
        }
    }

    @Test
    void roundsAreCountedAndSilenceEndsThem() throws Exception {
        try (Claims claims = open(VIP, true)) {
            assertEquals(6, claims.rounds(3, Duration.ZERO, Duration.ofMillis(1), Claims.THROW));
            claims.silence();
            assertEquals(0, claims.round(Claims.THROW));
            assertEquals(0, claims.claim(Claims.IfPresent.ANNOUNCE, Claims.THROW).sent());
            assertEquals(6, framesSent());
            assertTrue(opened.get(0).closed);
        }
    }

    @Test
    void aStopDuringAFailedRoundOpensNoNewHandle() throws Exception {
        try (Claims claims = open(VIP, true)) {
            failingSends = 1;
            assertEquals(0, claims.round((e, retrying) -> claims.silence())); // as the daemon's stop, meanwhile
            assertEquals(1, opened.size());
            assertTrue(opened.get(0).closed);
        }
    }

    @Test
    void withoutAnnouncingNoHandleIsOpenedAndAnyInterfaceWillDo() throws Exception {
        Vip onTun = Vip.of("tun0", "198.51.100.10/32", null);
        try (Claims claims = open(onTun, false)) {
            Claims.Claimed c = claims.claim(Claims.IfPresent.ANNOUNCE, Claims.THROW);
            assertTrue(c.added());
            assertEquals(0, c.sent());
            assertNull(claims.mac());
            assertTrue(claims.release().changed());
        }
        assertEquals(List.of(), opened);
        assertThrows(NotEthernetException.class, () -> open(onTun, true));
    }

    @Test
    void deleteKeepsToThePrefixAskedForReleaseTakesAnyForm() throws Exception {
        kernel.address(new AddressMessage(AddressMessage.AF_INET, 24, 0, 0, 2,
                InetAddress.getByName("198.51.100.10"), InetAddress.getByName("198.51.100.10"), "eth0", null));
        try (Claims claims = open(VIP, false)) {
            assertThrows(ConflictException.class, claims::delete);
            assertEquals(1, kernel.addresses().size());
            assertTrue(claims.release().changed());
            assertEquals(List.of(), kernel.addresses());
        }
    }

    private static AddressMessage there() throws IOException {
        InetAddress a = InetAddress.getByName("198.51.100.10");
        return new AddressMessage(AddressMessage.AF_INET, 32, 0, 0, 2, a, a, "eth0:0", null);
    }
}
