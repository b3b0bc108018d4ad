package dev.vip.core;

import static dev.vip.core.GoldenFrames.ip;
import static dev.vip.core.GoldenFrames.load;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.vip.netlink.MacAddress;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoding frames captured from arping and the kernel; anything odd decodes to null, never throws. */
class FrameDecoderTest {
    static final MacAddress N2 = MacAddress.parse("02:00:00:00:00:02");
    static final MacAddress CLIENT = MacAddress.parse("02:00:00:00:00:03");

    @Test
    void arpingUnsolicitedIsAClaim() {
        assertEquals(new Sighting(Sighting.Kind.GRATUITOUS_ARP_REQUEST, ip("198.51.100.10"), N2, N2),
                FrameDecoder.decode(load("arping-U")));
    }

    @Test
    void arpingAdvertIsAClaim() {
        assertEquals(new Sighting(Sighting.Kind.GRATUITOUS_ARP_REPLY, ip("198.51.100.10"), N2, N2),
                FrameDecoder.decode(load("arping-A")));
    }

    @Test
    void probeIsNotAClaim() {
        Sighting s = FrameDecoder.decode(load("arping-D"));
        assertEquals(new Sighting(Sighting.Kind.ARP_PROBE, ip("198.51.100.12"), CLIENT, CLIENT), s);
        assertEquals(false, s.isClaim());
    }

    @Test
    void probeReplyNamesTheOwner() {
        Sighting s = FrameDecoder.decode(load("kernel-probe-reply"));
        assertEquals(new Sighting(Sighting.Kind.ARP_SENDER, ip("198.51.100.12"), N2, N2), s);
        assertEquals(false, s.isClaim());
    }

    @Test
    void neighborAdvertisementIsAClaimWithTheTargetLinkLayerAddress() {
        assertEquals(new Sighting(Sighting.Kind.NEIGHBOR_ADVERTISEMENT, ip("2001:db8::12"), N2, N2),
                FrameDecoder.decode(load("kernel-solicited-na")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-ns", "kernel-dad-ns", "echo-request"})
    void otherIcmpv6IsIgnored(String name) {
        assertNull(FrameDecoder.decode(load(name)));
    }

    @Test
    void ourOwnFramesDecodeAsClaims() {
        assertEquals(Sighting.Kind.GRATUITOUS_ARP_REQUEST, FrameDecoder.decode(
                Frames.arpAnnouncementRequest(N2, FramesTest.VIP4)).kind());
        assertEquals(Sighting.Kind.GRATUITOUS_ARP_REPLY, FrameDecoder.decode(
                Frames.arpAnnouncementReply(N2, FramesTest.VIP4)).kind());
        assertEquals(new Sighting(Sighting.Kind.NEIGHBOR_ADVERTISEMENT, FramesTest.VIP6, N2, N2),
                FrameDecoder.decode(Frames.unsolicitedNeighborAdvertisement(N2, FramesTest.VIP6)));
    }

    @Test
    void naWithWrongHopLimitIsIgnored() {
        byte[] na = Frames.unsolicitedNeighborAdvertisement(N2, FramesTest.VIP6);
        na[14 + 7] = 64; // RFC 4861 §7.1.2: a router may have forwarded it
        assertNull(FrameDecoder.decode(na));
    }

    @Test
    void vlanTaggedGratuitousArpIsIgnored() {
        byte[] plain = load("arping-U");
        byte[] tagged = new byte[plain.length + 4];
        System.arraycopy(plain, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81; // 802.1Q TPID, VLAN 100
        tagged[14] = 0x00;
        tagged[15] = 100;
        System.arraycopy(plain, 12, tagged, 16, plain.length - 12);
        assertNull(FrameDecoder.decode(tagged));
    }

    @Test
    void malformedTruncatedAndOversizedFramesNeverThrow() {
        Random random = new Random(826);
        String[] names = {"arping-U", "arping-A", "arping-D", "kernel-probe-reply", "kernel-solicited-na",
            "kernel-dad-ns"};
        for (String name : names) {
            byte[] original = load(name);
            for (int cut = 0; cut <= original.length; cut++) {
                byte[] truncated = Arrays.copyOf(original, cut);
                assertDoesNotThrow(() -> FrameDecoder.decode(truncated));
            }
            for (int i = 0; i < 5000; i++) {
                byte[] mutated = original.clone();
                for (int f = 0; f < 1 + random.nextInt(4); f++) {
                    mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
                }
                assertDoesNotThrow(() -> FrameDecoder.decode(mutated), () -> "crasher: " + GoldenFrames.hex(mutated));
            }
        }
        byte[] jumbo = Arrays.copyOf(load("arping-U"), 9000);
        assertDoesNotThrow(() -> FrameDecoder.decode(jumbo));
        for (int i = 0; i < 5000; i++) {
            byte[] noise = new byte[random.nextInt(200)];
            random.nextBytes(noise);
            assertDoesNotThrow(() -> FrameDecoder.decode(noise));
        }
    }
}
