package dev.vip.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** vip add / del / has run as a black box in a namespace, checked against the kernel with ip -j addr. */
class AddressCommandsIT {
    private TestBed bed;
    private String host;

    @BeforeEach
    void setUp() throws Exception {
        bed = new TestBed();
        host = bed.namespace("host");
        String peer = bed.namespace("peer");
        bed.veth(host, "eth0", peer, "eth0");
    }

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    private void assertOneLineNaming(TestBed.Result r, String... words) {
        assertEquals(1, r.stderrLines().size(), r.stderr());
        for (String w : words) {
            assertTrue(r.stderr().contains(w), () -> "stderr should name " + w + ": " + r.stderr());
        }
        assertEquals("", r.stdout());
    }

    @Test
    void addWithLabelThenAgainIsIdempotent() throws Exception {
        TestBed.Result first = bed.vip(host, "add", "-i", "eth0", "-a", "198.51.100.10/32", "-l", "eth0:0", "--json");
        assertEquals(0, first.exit(), first.stderr());
        JsonNode result = first.json();
        assertEquals("add", result.get("action").asText());
        assertEquals("eth0", result.get("interface").asText());
        assertEquals("198.51.100.10/32", result.get("address").asText());
        assertEquals("eth0:0", result.get("label").asText());
        assertTrue(result.get("changed").asBoolean());

        JsonNode kernel = bed.address(host, "eth0", "198.51.100.10");
        assertNotNull(kernel);
        assertEquals(32, kernel.get("prefixlen").asInt());
        assertEquals("eth0:0", kernel.get("label").asText());

        TestBed.Result second = bed.vip(host, "add", "-i", "eth0", "-a", "198.51.100.10/32", "-l", "eth0:0", "--json");
        assertEquals(0, second.exit(), second.stderr());
        assertFalse(second.json().get("changed").asBoolean());
        assertEquals(1, bed.addresses(host, "eth0").findValuesAsText("local").stream()
                .filter("198.51.100.10"::equals).count());
    }

    @Test
    void addWithoutLabelGetsTheInterfaceName() throws Exception {
        TestBed.Result r = bed.vip(host, "add", "-i", "eth0", "-a", "198.51.100.10/32", "--json");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("eth0", r.json().get("label").asText());
        assertEquals("eth0", bed.address(host, "eth0", "198.51.100.10").get("label").asText());
        // the same address with an explicit label other than the default is a conflict
        TestBed.Result labelled = bed.vip(host, "add", "-i", "eth0", "-a", "198.51.100.10/32", "-l", "eth0:0");
        assertEquals(3, labelled.exit());
        assertOneLineNaming(labelled, "eth0", "198.51.100.10/32", "label eth0");
    }

    @Test
    void conflictingPrefixIsRefusedAndChangesNothing() throws Exception {
        assertEquals(0, bed.vip(host, "add", "-i", "eth0", "-a", "198.51.100.10/32", "-l", "eth0:0").exit());
        JsonNode before = bed.addresses(host, "eth0");
        TestBed.Result r = bed.vip(host, "add", "-i", "eth0", "-a", "198.51.100.10/24", "-l", "eth0:0");
        assertEquals(3, r.exit());
        assertOneLineNaming(r, "eth0", "198.51.100.10/24", "198.51.100.10/32");
        assertEquals(before, bed.addresses(host, "eth0"));

        TestBed.Result del = bed.vip(host, "del", "-i", "eth0", "-a", "198.51.100.10/24");
        assertEquals(3, del.exit());
        assertOneLineNaming(del, "eth0", "198.51.100.10/24", "198.51.100.10/32");
        assertEquals(before, bed.addresses(host, "eth0"));
    }

    @Test
    void deleteTwice() throws Exception {
        assertEquals(0, bed.vip(host, "add", "-i", "eth0", "-a", "198.51.100.10/32").exit());
        TestBed.Result first = bed.vip(host, "del", "-i", "eth0", "-a", "198.51.100.10/32", "--json");
        assertEquals(0, first.exit(), first.stderr());
        assertTrue(first.json().get("changed").asBoolean());
        assertNull(bed.address(host, "eth0", "198.51.100.10"));

        TestBed.Result second = bed.vip(host, "del", "-i", "eth0", "-a", "198.51.100.10/32", "--json");
        assertEquals(0, second.exit(), second.stderr());
        assertEquals("del", second.json().get("action").asText());
        assertFalse(second.json().get("changed").asBoolean());
    }

    @Test
    void hasAnswersWithItsExitCode() throws Exception {
        TestBed.Result absent = bed.vip(host, "has", "-i", "eth0", "-a", "198.51.100.10/32", "--json");
        assertEquals(1, absent.exit());
        assertFalse(absent.json().get("present").asBoolean());

        assertEquals(0, bed.run("ip", "-n", host, "addr", "add", "198.51.100.10/32", "dev", "eth0").exit());
        TestBed.Result present = bed.vip(host, "has", "-i", "eth0", "-a", "198.51.100.10/32", "-q");
        assertEquals(0, present.exit());
        assertEquals("", present.stdout());

        TestBed.Result otherPrefix = bed.vip(host, "has", "-i", "eth0", "-a", "198.51.100.10/24");
        assertEquals(1, otherPrefix.exit());
        assertTrue(otherPrefix.stdout().contains("198.51.100.10/32"), otherPrefix.stdout());
    }

    @Test
    void ipv6WithNodadAndPreferredLifetimeZero() throws Exception {
        TestBed.Result r = bed.vip(host, "add", "-i", "eth0", "-a", "2001:db8::10/64", "--nodad",
                "--preferred-lft", "0", "--noprefixroute", "--json");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.json().get("changed").asBoolean());
        JsonNode kernel = bed.address(host, "eth0", "2001:db8::10");
        assertNotNull(kernel);
        assertEquals("inet6", kernel.get("family").asText());
        assertEquals(64, kernel.get("prefixlen").asInt());
        assertTrue(kernel.path("nodad").asBoolean(), kernel.toString());
        assertTrue(kernel.path("deprecated").asBoolean(), kernel.toString());
        assertTrue(kernel.path("noprefixroute").asBoolean(), kernel.toString());
        assertFalse(kernel.path("tentative").asBoolean(), kernel.toString());
        assertEquals(0, kernel.get("preferred_life_time").asLong());
        // no route for 2001:db8::/64 was made
        assertEquals("[]", bed.ok("ip", "-n", host, "-j", "-6", "route", "show", "2001:db8::/64").stdout().strip());

        assertEquals(0, bed.vip(host, "has", "-i", "eth0", "-a", "2001:db8::10/64").exit());
        assertEquals(0, bed.vip(host, "del", "-i", "eth0", "-a", "2001:db8::10/64").exit());
        assertNull(bed.address(host, "eth0", "2001:db8::10"));
    }

    @Test
    void ipv6WithoutNodadIsTentativeFirst() throws Exception {
        // the counterpart of the test above: without --nodad the kernel runs DAD
        bed.ok("ip", "netns", "exec", host, "sysctl", "-q", "-w", "net.ipv6.conf.eth0.dad_transmits=3");
        assertEquals(0, bed.vip(host, "add", "-i", "eth0", "-a", "2001:db8::11/64").exit());
        JsonNode kernel = bed.address(host, "eth0", "2001:db8::11");
        assertTrue(kernel.path("tentative").asBoolean(), kernel.toString());
        assertFalse(kernel.path("deprecated").asBoolean(), kernel.toString());
    }

    @Test
    void missingInterface() throws Exception {
        JsonNode before = bed.addresses(host, "eth0");
        TestBed.Result r = bed.vip(host, "add", "-i", "nosuch0", "-a", "198.51.100.10/32");
        assertEquals(3, r.exit());
        assertOneLineNaming(r, "nosuch0", "198.51.100.10/32", "no such interface");
        TestBed.Result del = bed.vip(host, "del", "-i", "nosuch0", "-a", "198.51.100.10/32");
        assertEquals(3, del.exit());
        assertEquals(before, bed.addresses(host, "eth0"));
    }

    @Test
    void withoutCapabilitiesExitFourAndNothingChanges() throws Exception {
        JsonNode before = bed.addresses(host, "eth0");
        TestBed.Result add = bed.vipUnprivileged(host, "add", "-i", "eth0", "-a", "198.51.100.10/32");
        assertEquals(4, add.exit(), add.stderr());
        assertOneLineNaming(add, "eth0", "198.51.100.10/32", "EPERM", "CAP_NET_ADMIN");
        assertEquals(before, bed.addresses(host, "eth0"));

        assertEquals(0, bed.vip(host, "add", "-i", "eth0", "-a", "198.51.100.10/32").exit());
        JsonNode with = bed.addresses(host, "eth0");
        TestBed.Result del = bed.vipUnprivileged(host, "del", "-i", "eth0", "-a", "198.51.100.10/32");
        assertEquals(4, del.exit(), del.stderr());
        assertOneLineNaming(del, "CAP_NET_ADMIN");
        assertEquals(with, bed.addresses(host, "eth0"));
        // reading needs no privilege
        assertEquals(0, bed.vipUnprivileged(host, "has", "-i", "eth0", "-a", "198.51.100.10/32").exit());
    }

    @Test
    void stackTraceOnlyWithVerbose() throws Exception {
        TestBed.Result plain = bed.vip(host, "add", "-i", "nosuch0", "-a", "198.51.100.10/32");
        assertEquals(1, plain.stderrLines().size());
        TestBed.Result verbose = bed.vip(host, "add", "-i", "nosuch0", "-a", "198.51.100.10/32", "-v");
        assertEquals(3, verbose.exit());
        assertTrue(verbose.stderr().contains("NetlinkException"), verbose.stderr());
    }
}
