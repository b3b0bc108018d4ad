package dev.vip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --vip ROLE:CIDR[:LABEL]}: IPv6 colons and labels' colons told apart by the prefix length. */
class RoleVipTest {
    @Test
    void parsesRolesAddressesAndLabels() {
        DaemonCommand.RoleVip v4 = DaemonCommand.RoleVip.parse("primary:198.51.100.30/32:eth0:2", "eth0");
        assertEquals("primary", v4.role());
        assertEquals("198.51.100.30/32", v4.vip().prefix().toString());
        assertEquals("eth0:2", v4.vip().label());
        DaemonCommand.RoleVip v6 = DaemonCommand.RoleVip.parse("standby:2001:db8::3/64", "eth0");
        assertTrue(v6.standby());
        assertEquals("2001:db8::3/64", v6.vip().prefix().toString());
        assertNull(v6.vip().label());
        assertEquals("eth0", v6.vip().interfaceName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"standby", "standby:198.51.100.3", "reader:198.51.100.3/32", "standby:198.51.100.3/32:",
        "standby:198.51.100.3/32x", "standby:198.51.100.3/99", ":198.51.100.3/32", "standby:2001:db8::3/64:eth0:1",
        "primary:198.51.100.3/32:eth1:0"})
    void refusesWhatIsNotRoleCidrLabel(String spec) {
        assertThrows(IllegalArgumentException.class, () -> DaemonCommand.RoleVip.parse(spec, "eth0"));
    }
}
