package dev.vip.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * vip add / vip announce on n2 move the client's neighbour entry for the VIP from n1 to n2, and the
 * frames the client captures are exactly the announcement forms. n2 has no other IPv4 address.
 */
class AnnounceIT {
    static final String VIP = "198.51.100.10";
    static final String VIP6 = "2001:db8::10";

    private TestBed bed;
    private String n2;
    private String client;

    @BeforeEach
    void setUp() throws Exception {
        bed = new TestBed();
        bed.host("n1", 1, "198.51.100.11/24", "2001:db8::11/64");
        n2 = bed.host("n2", 2);
        client = bed.host("client", 3, "198.51.100.100/24", "2001:db8::100/64");
        // the kernel's default, made explicit: no entries are created from gratuitous ARP
        bed.ok("ip", "netns", "exec", client, "sysctl", "-q", "-w", "net.ipv4.conf.eth0.arp_accept=0");
        bed.ok("ip", "-n", client, "neigh", "replace", VIP, "lladdr", TestBed.mac(1), "dev", "eth0", "nud", "stale");
        bed.ok("ip", "-n", client, "neigh", "replace", VIP6, "lladdr", TestBed.mac(1), "dev", "eth0", "nud", "stale");
    }

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    private String clientMacFor(String address) throws Exception {
        JsonNode entry = bed.neighbour(client, address);
        assertNotNull(entry, "the client has no entry for " + address);
        return entry.get("lladdr").asText();
    }

    /** The client's entry, after the announcement: given a moment for the frame to cross the bridge. */
    private boolean movesTo(String address, String mac) throws Exception {
        return TestBed.eventually(java.time.Duration.ofSeconds(2), () -> mac.equals(clientMacFor(address)));
    }

    @ParameterizedTest(name = "--arp-mode {0}")
    @ValueSource(strings = {"request", "reply", "both"})
    void eachArpModeMovesTheClientsEntry(String mode) throws Exception {
        assertEquals(TestBed.mac(1), clientMacFor(VIP));
        TestBed.Capture capture = bed.capture(client, "arp");
        TestBed.Result r = bed.vip(n2, "add", "-i", "eth0", "-a", VIP + "/32", "--arp-mode", mode, "--count", "1",
                "--json");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(mode.equals("both") ? 2 : 1, r.json().get("announced").asInt());
        assertTrue(movesTo(VIP, TestBed.mac(2)), "client entry: " + bed.neighbour(client, VIP));

        List<String> frames = capture.stop().stream().map(Pcap.Frame::hex).toList();
        String request = "ffffffffffff0200000000020806" + "0001080006040001" + "020000000002c633640a"
                + "000000000000c633640a";
        String reply = "ffffffffffff0200000000020806" + "0001080006040002" + "020000000002c633640a"
                + "020000000002c633640a";
        List<String> expected = switch (mode) {
            case "request" -> List.of(request);
            case "reply" -> List.of(reply);
            default -> List.of(request, reply);
        };
        assertEquals(expected, frames);
    }

    @Test
    void withoutAnnouncementTheClientKeepsTheOldEntry() throws Exception {
        // the control for the test above: the entry does not move by itself
        assertEquals(0, bed.vip(n2, "add", "-i", "eth0", "-a", VIP + "/32", "--no-announce").exit());
        Thread.sleep(500);
        assertEquals(TestBed.mac(1), clientMacFor(VIP));
    }

    @Test
    void ipv6UnsolicitedNeighborAdvertisementMovesTheClientsEntry() throws Exception {
        assertEquals(TestBed.mac(1), clientMacFor(VIP6));
        TestBed.Capture capture = bed.capture(client, "icmp6 and ip6[40] = 136");
        TestBed.Result r = bed.vip(n2, "add", "-i", "eth0", "-a", VIP6 + "/64", "--nodad", "--count", "1", "--json");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(movesTo(VIP6, TestBed.mac(2)), "client entry: " + bed.neighbour(client, VIP6));
        List<Pcap.Frame> frames = capture.stop();
        assertEquals(1, frames.size());
        assertEquals("333300000001020000000002" + "86dd" + "6000000000203aff"
                + "20010db8000000000000000000000010" + "ff020000000000000000000000000001"
                + "8800f90b" + "20000000" + "20010db8000000000000000000000010" + "0201020000000002",
                frames.get(0).hex());
    }

    @Test
    void countAndIntervalAndAnnouncingAnAddressAlreadyThere() throws Exception {
        bed.ok("ip", "-n", n2, "addr", "add", VIP + "/32", "dev", "eth0");
        TestBed.Capture capture = bed.capture(client, "arp");
        TestBed.Result r = bed.vip(n2, "add", "-i", "eth0", "-a", VIP + "/32", "--arp-mode", "request",
                "--count", "3", "--interval", "300ms", "--json");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(false, r.json().get("changed").asBoolean());
        assertEquals(3, r.json().get("announced").asInt());
        List<Pcap.Frame> frames = capture.stop();
        assertEquals(3, frames.size());
        for (int i = 1; i < frames.size(); i++) {
            long gap = frames.get(i).micros() - frames.get(i - 1).micros();
            assertTrue(gap >= 250_000, "rounds must be about 300 ms apart, were " + gap + " us");
        }
        assertEquals(TestBed.mac(2), clientMacFor(VIP));
    }

    @Test
    void announceDoesNotTouchAddresses() throws Exception {
        bed.ok("ip", "-n", n2, "addr", "add", VIP + "/32", "dev", "eth0");
        JsonNode before = bed.addresses(n2, "eth0");
        TestBed.Result r = bed.vip(n2, "announce", "-i", "eth0", "-a", VIP, "--count", "1", "--json");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(2, r.json().get("announced").asInt());
        assertTrue(movesTo(VIP, TestBed.mac(2)));
        assertEquals(before, bed.addresses(n2, "eth0"));
    }

    @Test
    void worksOnAStackedInterface() throws Exception {
        // A VLAN interface would be the natural case; this kernel has no 802.1Q support, so a macvlan
        // stacked on eth0 (its own MAC, same segment) stands in for it.
        bed.ok("ip", "-n", n2, "link", "add", "link", "eth0", "name", "mv0", "address", "02:00:00:00:01:02",
                "type", "macvlan", "mode", "bridge");
        bed.ok("ip", "-n", n2, "link", "set", "mv0", "up");
        TestBed.Result r = bed.vip(n2, "add", "-i", "mv0", "-a", VIP + "/32", "--count", "1");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(movesTo(VIP, "02:00:00:00:01:02"), "client entry: " + bed.neighbour(client, VIP));
    }

    @Test
    void withoutCapNetRawTheAnnouncementFailsWithExitFour() throws Exception {
        JsonNode before = bed.addresses(n2, "eth0");
        TestBed.Result r = bed.run("ip", "netns", "exec", n2, "setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", "--inh-caps=-all,+net_admin", "--ambient-caps=+net_admin", TestBed.VIP.toString(),
                "add", "-i", "eth0", "-a", VIP + "/32");
        assertEquals(4, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("CAP_NET_RAW"), r.stderr());
        assertEquals(before, bed.addresses(n2, "eth0"));
    }
}
