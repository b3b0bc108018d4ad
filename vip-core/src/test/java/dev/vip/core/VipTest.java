package dev.vip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VipTest {

    @ParameterizedTest
    @CsvSource({"eth0, eth0", "eth0, eth0:0", "eth0, eth0:vip", "eth0.100, eth0.100:1", "bond0, bond0:pg15xxxxx"})
    void acceptsConventionalLabels(String ifname, String label) {
        assertEquals(label, Vip.of(ifname, "192.0.2.2/32", label).effectiveLabel());
    }

    @ParameterizedTest
    @CsvSource({
        "eth0, eth1:0", "eth0, eth0:", "eth0, eth01", "eth0, ''", "eth0, eth0:0123456789a",
        "eth0, eth0:a b", "eth0, eth0:é", "eth0, :0"})
    void rejectsOtherLabels(String ifname, String label) {
        assertThrows(InvalidInputException.class, () -> Vip.of(ifname, "192.0.2.2/32", label));
    }

    @Test
    void ipv6HasNoLabel() {
        assertNull(Vip.of("eth0", "2001:db8::2/64", null).effectiveLabel());
        assertThrows(InvalidInputException.class, () -> Vip.of("eth0", "2001:db8::2/64", "eth0:0"));
    }

    @Test
    void defaultLabelIsTheInterface() {
        assertEquals("eth0", Vip.of("eth0", "192.0.2.2/32", null).effectiveLabel());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "eth0123456789abc", "eth 0", "a/b", ".", "..", "eth0:0"})
    void rejectsBadInterfaceNames(String ifname) {
        assertThrows(InvalidInputException.class, () -> Vip.of(ifname, "192.0.2.2/32", null));
    }
}
