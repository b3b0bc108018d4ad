package dev.vip.core;

import static dev.vip.core.GoldenFrames.hex;
import static dev.vip.core.GoldenFrames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vip.netlink.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import org.junit.jupiter.api.Test;

/** Our frames, byte for byte, against layouts written out field by field. */
class FramesTest {
    static final MacAddress N2 = MacAddress.parse("02:00:00:00:00:02");
    static final Inet4Address VIP4 = (Inet4Address) ip("198.51.100.10");
    static final Inet6Address VIP6 = (Inet6Address) ip("2001:db8::10");

    @Test
    void arpAnnouncementRequest() {
        assertEquals(hex(hex("ffffffffffff 020000000002 0806"          // broadcast, from n2, ARP
                + "| 0001 0800 06 04 0001"                                // Ethernet/IPv4, REQUEST
                + "| 020000000002 c633640a"                               // sha n2, spa 198.51.100.10
                + "| 000000000000 c633640a")),                            // tha zero (RFC 5227), tpa = spa
                hex(Frames.arpAnnouncementRequest(N2, VIP4)));
    }

    @Test
    void arpAnnouncementReply() {
        assertEquals(hex(hex("ffffffffffff 020000000002 0806 | 0001 0800 06 04 0002"
                + "| 020000000002 c633640a | 020000000002 c633640a")),    // tha = sha, tpa = spa
                hex(Frames.arpAnnouncementReply(N2, VIP4)));
    }

    @Test
    void replyFormEqualsWhatArpingMinusASends() {
        // iputils arping -A is the reference for the reply form
        assertEquals(hex(GoldenFrames.load("arping-A")), hex(Frames.arpAnnouncementReply(N2, VIP4)));
    }

    @Test
    void arpProbe() {
        MacAddress client = MacAddress.parse("02:00:00:00:00:03");
        assertEquals(hex(hex("ffffffffffff 020000000003 0806 | 0001 0800 06 04 0001"
                + "| 020000000003 00000000 | 000000000000 c633640c")),   // spa 0.0.0.0, tpa .12
                hex(Frames.arpProbe(client, (Inet4Address) ip("198.51.100.12"))));
    }

    @Test
    void unsolicitedNeighborAdvertisement() {
        assertEquals(hex(hex("333300000001 020000000002 86dd"           // all-nodes MAC, from n2, IPv6
                + "| 60000000 0020 3a ff"                                  // v6, payload 32, ICMPv6, hop 255
                + "| 20010db8000000000000000000000010"                     // src: the VIP
                + "| ff020000000000000000000000000001"                     // dst: ff02::1
                + "| 88 00 f90b"                                           // NA, code 0, checksum
                + "| 20000000"                                             // R=0 S=0 O=1
                + "| 20010db8000000000000000000000010"                     // target
                + "| 02 01 020000000002")),                                // target link-layer option
                hex(Frames.unsolicitedNeighborAdvertisement(N2, VIP6)));
    }

    @Test
    void duplicateAddressDetectionSolicitation() {
        // as n2's kernel sent it (kernel-dad-ns.hex), without the kernel's nonce option
        assertEquals(hex(hex("3333ff000013 020000000002 86dd | 60000000 0018 3a ff"
                + "| 00000000000000000000000000000000"                     // from ::
                + "| ff0200000000000000000001ff000013"                     // solicited-node group
                + "| 87 00 4cc9 | 00000000 | 20010db8000000000000000000000013")), // checksum computed by hand (RFC 4443 §2.3)
                hex(Frames.neighborSolicitationProbe(N2, (Inet6Address) ip("2001:db8::13"))));
    }
}
