package dev.vip.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** vip probe and vip add --probe, from n1, for addresses n2 holds and addresses nobody holds. */
class ProbeIT {
    private TestBed bed;
    private String n1;

    @BeforeEach
    void setUp() throws Exception {
        bed = new TestBed();
        n1 = bed.host("n1", 1, "198.51.100.11/24", "2001:db8::11/64");
        bed.host("n2", 2, "198.51.100.12/24", "198.51.100.10/32", "2001:db8::12/64", "2001:db8::10/64");
    }

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    @Test
    void addressInUseIsReportedWithTheOwnersMac() throws Exception {
        TestBed.Result r = bed.vip(n1, "probe", "-i", "eth0", "-a", "198.51.100.10", "--json");
        assertEquals(1, r.exit(), r.stderr());
        assertTrue(r.json().get("in_use").asBoolean());
        assertEquals(TestBed.mac(2), r.json().get("owner").asText());

        TestBed.Result human = bed.vip(n1, "probe", "-i", "eth0", "-a", "198.51.100.10");
        assertEquals(1, human.exit());
        assertTrue(human.stdout().contains(TestBed.mac(2)), human.stdout());
    }

    @Test
    void freeAddressIsReportedFree() throws Exception {
        TestBed.Result r = bed.vip(n1, "probe", "-i", "eth0", "-a", "198.51.100.20", "--timeout", "500ms", "--json");
        assertEquals(0, r.exit(), r.stderr());
        assertFalse(r.json().get("in_use").asBoolean());
    }

    @Test
    void ipv6InUseAndFree() throws Exception {
        TestBed.Result used = bed.vip(n1, "probe", "-i", "eth0", "-a", "2001:db8::10", "--json");
        assertEquals(1, used.exit(), used.stderr());
        assertEquals(TestBed.mac(2), used.json().get("owner").asText());
        TestBed.Result free = bed.vip(n1, "probe", "-i", "eth0", "-a", "2001:db8::20", "--timeout", "500ms");
        assertEquals(0, free.exit(), free.stderr());
    }

    @Test
    void addWithProbeRefusesAnAddressInUseAndChangesNothing() throws Exception {
        JsonNode before = bed.addresses(n1, "eth0");
        TestBed.Result r = bed.vip(n1, "add", "--probe", "-i", "eth0", "-a", "198.51.100.10/32", "--json");
        assertEquals(1, r.exit(), r.stderr());
        assertEquals(TestBed.mac(2), r.json().get("owner").asText());
        assertEquals(before, bed.addresses(n1, "eth0"));

        TestBed.Result free = bed.vip(n1, "add", "--probe", "--probe-timeout", "500ms", "-i", "eth0", "-a",
                "198.51.100.21/32", "--count", "1");
        assertEquals(0, free.exit(), free.stderr());
        assertTrue(bed.address(n1, "eth0", "198.51.100.21") != null);
    }
}
