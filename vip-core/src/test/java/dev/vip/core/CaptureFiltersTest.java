package dev.vip.core;

import static dev.vip.core.GoldenFrames.ip;
import static dev.vip.core.GoldenFrames.load;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vip.netlink.MacAddress;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/** The kernel filters, compiled by libpcap and run on captured frames with pcap_offline_filter. */
class CaptureFiltersTest {

    private static boolean passes(String filter, byte[] frame) throws Exception {
        BpfProgram program = Pcaps.compileFilter(512, DataLinkType.EN10MB, filter,
                BpfProgram.BpfCompileMode.OPTIMIZE, (java.net.Inet4Address) InetAddress.getByName("0.0.0.0"));
        try {
            return program.applyFilter(frame);
        } finally {
            program.free();
        }
    }

    @Test
    void claimFilterPassesAnnouncementsOfTheVipOnly() throws Exception {
        String vip10 = CaptureFilters.claims(ip("198.51.100.10"));
        assertEquals(true, passes(vip10, load("arping-U")));
        assertEquals(true, passes(vip10, load("arping-A")));
        MacAddress n1 = MacAddress.parse("02:00:00:00:00:01");
        assertEquals(true, passes(vip10, Frames.arpAnnouncementRequest(n1, FramesTest.VIP4)));
        assertEquals(false, passes(CaptureFilters.claims(ip("198.51.100.11")), load("arping-U")));
        assertEquals(false, passes(vip10, load("kernel-probe-reply")));
        assertEquals(false, passes(vip10, load("kernel-solicited-na")));
    }

    @Test
    void claimFilterForIpv6PassesNeighborAdvertisementsForTheTargetOnly() throws Exception {
        assertEquals(true, passes(CaptureFilters.claims(ip("2001:db8::12")), load("kernel-solicited-na")));
        assertEquals(false, passes(CaptureFilters.claims(ip("2001:db8::13")), load("kernel-solicited-na")));
        assertEquals(false, passes(CaptureFilters.claims(ip("2001:db8::12")), load("kernel-ns")));
        assertEquals(false, passes(CaptureFilters.claims(ip("2001:db8::12")), load("arping-U")));
    }

    @Test
    void probeAnswerFilterPassesAnyArpFromTheAddress() throws Exception {
        assertEquals(true, passes(CaptureFilters.probeAnswers(ip("198.51.100.12")), load("kernel-probe-reply")));
        assertEquals(false, passes(CaptureFilters.probeAnswers(ip("198.51.100.12")), load("arping-D")));
    }

    @Test
    void nothingFilterPassesNothing() throws Exception {
        assertEquals(false, passes(PcapLink.NOTHING, load("arping-U")));
        assertEquals(false, passes(PcapLink.NOTHING, load("kernel-solicited-na")));
    }
}
