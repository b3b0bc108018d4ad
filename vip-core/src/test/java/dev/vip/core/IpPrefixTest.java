package dev.vip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpPrefixTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "192.0.2.2/32, 192.0.2.2/32",
        "192.0.2.2, 192.0.2.2/32",
        "198.51.100.10/24, 198.51.100.10/24",
        "0.0.0.1/32, 0.0.0.1/32",
        "2001:db8::2/64, 2001:db8::2/64",
        "2001:DB8:0:0:0:0:0:2, 2001:db8::2/128",
        "2001:db8:0:1:0:0:0:1/64, 2001:db8:0:1::1/64",
        "2001:0:0:1:0:0:0:1/64, 2001:0:0:1::1/64",
        "1:0:2:3:4:5:6:7/128, 1:0:2:3:4:5:6:7/128",
        "2001:db8::198.51.100.1/96, 2001:db8::c633:6401/96",
        "fe80::1/64, fe80::1/64",
    })
    void parsesAndPrintsCanonically(String input, String canonical) {
        assertEquals(canonical, IpPrefix.parse(input).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "192.0.2", "192.0.2.2.2", "192.0.2.256", "192.0.2.02", "192.0.2.2/", "192.0.2.2/x",
        "192.0.2.2/33", "192.0.2.2/0", "192.0.2.2/-1", "192.0.2.2/1000", "localhost", "example.com",
        "2001:db8:::1", "2001:db8::g", "12345::1", "1:2:3:4:5:6:7:8:9", "[2001:db8::1]", "fe80::1%eth0",
        "2001:db8::1/129", "224.0.0.1", "239.1.1.1/32", "ff02::1", "127.0.0.1", "127.1.2.3/8", "::1",
        "0.0.0.0", "::", "255.255.255.255", "::ffff:192.0.2.2", "::ffff:c000:0202", "::192.0.2.2",
        "192.0.2.2 /32", "192.0.2.2/ 32", "１９２.0.2.2"})
    void rejects(String input) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> IpPrefix.parse(input));
        assertTrue(!e.getMessage().isBlank() && !e.getMessage().contains("\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "db1", "2001:db8:::1"})
    void neverLooksUpNames(String input) {
        // a DNS lookup would take time and answer for names; a literal check answers at once
        long start = System.nanoTime();
        assertThrows(InvalidInputException.class, () -> IpPrefix.parse(input));
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
    }
}
