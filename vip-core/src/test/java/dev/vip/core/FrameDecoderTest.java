package dev.vip.core;

import static dev.vip.core.GoldenFrames.ip;
import static dev.vip.core.GoldenFrames.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * Truncated, mutated, oversized and random frames: decoding never throws (an exception fails the
     * test: the decoder hides none), and whatever it decodes is what the bytes say, read by offset
     * here, independently of pcap4j: for ARP exactly (a claim where the bytes make one, null where they
     * do not), for a neighbour advertisement every field it reports.
     */
    @Test
    void whatMalformedFramesDecodeToIsWhatTheirBytesSay() {
        Random random = new Random(826);
        String[] names = {"arping-U", "arping-A", "arping-D", "kernel-probe-reply", "kernel-solicited-na",
            "kernel-dad-ns"};
        int decoded = 0;
        int frames = 0;
        for (String name : names) {
            byte[] original = load(name);
            for (int cut = 0; cut <= original.length; cut++) {
                decoded += check(Arrays.copyOf(original, cut));
                frames++;
            }
            for (int i = 0; i < 5000; i++) {
                byte[] mutated = original.clone();
                for (int f = 0; f < 1 + random.nextInt(4); f++) {
                    mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
                }
                decoded += check(mutated);
                frames++;
            }
        }
        decoded += check(Arrays.copyOf(load("arping-U"), 9000));
        for (int i = 0; i < 5000; i++) {
            byte[] noise = new byte[random.nextInt(200)];
            random.nextBytes(noise);
            check(noise);
        }
        // the mutations leave many frames readable: the oracle was exercised, not only null
        assertTrue(decoded > frames / 4, decoded + " of " + frames + " decoded");
    }

    /** 1 when the frame decoded to a sighting (checked against its bytes), 0 when to null (checked too). */
    private static int check(byte[] f) {
        Sighting s = FrameDecoder.decode(f);
        String hex = GoldenFrames.hex(f);
        int type = f.length >= 14 ? u16(f, 12) : -1;
        if (type == 0x0806) {
            assertEquals(expectedArp(f), s, () -> "ARP frame " + hex);
        } else if (s != null) {
            assertEquals(0x86dd, type, () -> "decoded a frame that is neither ARP nor IPv6: " + hex);
            assertEquals(Sighting.Kind.NEIGHBOR_ADVERTISEMENT, s.kind(), hex);
            assertEquals(58, f[20] & 0xff, () -> "next header: " + hex);
            assertEquals(255, f[21] & 0xff, () -> "hop limit: " + hex);
            assertEquals(136, f[54] & 0xff, () -> "ICMPv6 type: " + hex);
            assertEquals(0, f[55] & 0xff, () -> "ICMPv6 code: " + hex);
            assertEquals(GoldenFrames.ipOf(Arrays.copyOfRange(f, 62, 78)), s.address(), () -> "target: " + hex);
            assertEquals(MacAddress.of(Arrays.copyOfRange(f, 6, 12)), s.source(), () -> "source: " + hex);
        }
        return s == null ? 0 : 1;
    }

    /** An ARP frame read by offset (RFC 826 over Ethernet), by the rules the decoder documents. */
    private static Sighting expectedArp(byte[] f) {
        if (f.length < 42 || u16(f, 14) != 1 || u16(f, 16) != 0x0800 || (f[18] & 0xff) != 6 || (f[19] & 0xff) != 4) {
            return null;
        }
        int op = u16(f, 20);
        if (op != 1 && op != 2) {
            return null;
        }
        MacAddress source = MacAddress.of(Arrays.copyOfRange(f, 6, 12));
        MacAddress sha = MacAddress.of(Arrays.copyOfRange(f, 22, 28));
        byte[] spa = Arrays.copyOfRange(f, 28, 32);
        byte[] tpa = Arrays.copyOfRange(f, 38, 42);
        if (Arrays.equals(spa, new byte[4])) {
            return op == 1 ? new Sighting(Sighting.Kind.ARP_PROBE, GoldenFrames.ipOf(tpa), sha, source) : null;
        }
        if (Arrays.equals(spa, tpa)) {
            return new Sighting(op == 1 ? Sighting.Kind.GRATUITOUS_ARP_REQUEST : Sighting.Kind.GRATUITOUS_ARP_REPLY,
                    GoldenFrames.ipOf(spa), sha, source);
        }
        return new Sighting(Sighting.Kind.ARP_SENDER, GoldenFrames.ipOf(spa), sha, source);
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xff) << 8 | (f[at + 1] & 0xff);
    }
}
