package dev.vip.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each bad input: exit 2, one line on stderr, nothing on stdout, and ip -j addr unchanged. */
class BadInputIT {
    private static TestBed bed;
    private static String host;

    @BeforeAll
    static void setUp() throws Exception {
        bed = new TestBed();
        host = bed.namespace("host");
        String peer = bed.namespace("peer");
        bed.veth(host, "eth0", peer, "eth0");
        bed.ok("ip", "-n", host, "addr", "add", "203.0.113.5/24", "dev", "eth0");
    }

    @AfterAll
    static void tearDown() throws Exception {
        bed.close();
    }

    static Stream<Arguments> badInputs() {
        List<Arguments> cases = new ArrayList<>();
        for (String address : new String[] {
            "198.51.100", "198.51.100.10.1", "198.51.100.256/32", "198.51.100.010/32", "198.51.100.10/",
            "198.51.100.10/abc", "198.51.100.10/32/1", "example.com", "2001:db8:::1", "2001:db8::g/64",
            "fe80::1%eth0", "[2001:db8::1]/64",
            "224.0.0.1/32", "ff02::1/128",                      // multicast
            "127.0.0.2/32", "::1/128",                          // loopback
            "0.0.0.0/32", "::/128",                             // unspecified
            "255.255.255.255/32",                               // limited broadcast
            "198.51.100.10/33", "2001:db8::1/129", "198.51.100.10/0",
            "::ffff:198.51.100.10/128",                         // IPv4-mapped IPv6
            "", " "}) {
            cases.add(Arguments.of("address '" + address + "'", List.of("add", "-i", "eth0", "-a", address)));
        }
        cases.add(Arguments.of("empty label", List.of("add", "-i", "eth0", "-a", "198.51.100.10/32", "-l", "")));
        cases.add(Arguments.of("oversized label",
                List.of("add", "-i", "eth0", "-a", "198.51.100.10/32", "-l", "eth0:0123456789a")));
        cases.add(Arguments.of("foreign label", List.of("add", "-i", "eth0", "-a", "198.51.100.10/32", "-l", "eth1:0")));
        cases.add(Arguments.of("label without suffix",
                List.of("add", "-i", "eth0", "-a", "198.51.100.10/32", "-l", "eth0:")));
        cases.add(Arguments.of("label prefix only", List.of("add", "-i", "eth0", "-a", "198.51.100.10/32", "-l", "eth01")));
        cases.add(Arguments.of("label with space", List.of("add", "-i", "eth0", "-a", "198.51.100.10/32", "-l", "eth0:a b")));
        cases.add(Arguments.of("label on IPv6", List.of("add", "-i", "eth0", "-a", "2001:db8::1/64", "-l", "eth0:0")));
        cases.add(Arguments.of("oversized interface name",
                List.of("add", "-i", "eth0123456789abc", "-a", "198.51.100.10/32")));
        cases.add(Arguments.of("negative lifetime",
                List.of("add", "-i", "eth0", "-a", "198.51.100.10/32", "--preferred-lft", "-1")));
        cases.add(Arguments.of("lifetime not a number",
                List.of("add", "-i", "eth0", "-a", "198.51.100.10/32", "--preferred-lft", "soon")));
        cases.add(Arguments.of("missing address", List.of("add", "-i", "eth0")));
        cases.add(Arguments.of("missing interface", List.of("del", "-a", "198.51.100.10/32")));
        cases.add(Arguments.of("missing option value", List.of("has", "-i", "eth0", "-a")));
        cases.add(Arguments.of("unknown flag", List.of("add", "-i", "eth0", "-a", "198.51.100.10/32", "--bogus")));
        cases.add(Arguments.of("unknown command", List.of("move", "-i", "eth0", "-a", "198.51.100.10/32")));
        cases.add(Arguments.of("no command", List.of()));
        cases.add(Arguments.of("bad address on del", List.of("del", "-i", "eth0", "-a", "203.0.113.5/99")));
        // a settings file that cannot be used stops the command before it acts: one line naming file and line
        String[][] configs = {
            {"config with an unknown key", "interface = eth0\nadress = 198.51.100.10/32\n"},
            {"config with a bad value", "interface = eth0\naddress = 198.51.100.10/32\ncount = many\n"},
            {"config with a bad address", "interface = eth0\naddress = 198.51.100.10/99\n"},
            {"config with an unknown section", "[ad]\ninterface = eth0\n"},
            {"config line without =", "interface eth0\n"}};
        for (String[] c : configs) {
            cases.add(Arguments.of(c[0], List.of("add", "--config", configFile(c[1]))));
        }
        cases.add(Arguments.of("missing config file", List.of("add", "--config", "/nonexistent/vip.conf")));
        // a password where every local user can read it
        cases.add(Arguments.of("password on the command line",
                List.of("pgprobe", "--conninfo", "host=198.51.100.1 user=app password=secret", "--for", "1s")));
        String open = configFile("[pgprobe]\nconninfo = host=198.51.100.1 user=app password=secret\n");
        try {
            java.nio.file.Files.setPosixFilePermissions(java.nio.file.Path.of(open),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        cases.add(Arguments.of("config with a password, readable by all", List.of("pgprobe", "--config", open,
                "--for", "1s")));
        return cases.stream();
    }

    private static String configFile(String text) {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("vip-bad-", ".conf");
            f.toFile().deleteOnExit();
            java.nio.file.Files.writeString(f, text);
            return f.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void exitsTwoWithOneLineAndChangesNothing(String what, List<String> args) throws Exception {
        JsonNode before = bed.addresses(host, "eth0");
        TestBed.Result r = bed.vip(host, args.toArray(String[]::new));
        assertEquals(2, r.exit(), () -> what + ": " + r.stderr());
        assertEquals(1, r.stderrLines().size(), () -> what + ": " + r.stderr());
        assertTrue(r.stderr().startsWith("vip"), r.stderr());
        if (what.startsWith("config")) {
            assertTrue(r.stderr().contains(".conf:"), () -> what + " must name the file and line: " + r.stderr());
        }
        assertEquals("", r.stdout());
        assertEquals(before, bed.addresses(host, "eth0"));
    }

    @org.junit.jupiter.api.Test
    void aNativeCodeDirectoryAnotherUserMadeIsRefusedBeforeAnythingLoads() throws Exception {
        // a local user made it first, world-writable, hoping that vip (as root or postgres) unpacks and
        // loads native code from it
        java.nio.file.Path hostile = java.nio.file.Files.createTempDirectory("vip-hostile-");
        try {
            java.nio.file.Files.setPosixFilePermissions(hostile,
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            java.nio.file.Files.setOwner(hostile, hostile.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName("nobody"));
            JsonNode before = bed.addresses(host, "eth0");
            TestBed.Result r = bed.run("ip", "netns", "exec", host, "env", "VIP_NATIVE_DIR=" + hostile,
                    TestBed.VIP.toString(), "add", "-i", "eth0", "-a", "198.51.100.10/32");
            assertEquals(3, r.exit(), r.stderr());
            assertEquals(1, r.stderrLines().size(), r.stderr());
            assertTrue(r.stderr().contains("owned by uid") && r.stderr().contains("refused"), r.stderr());
            assertEquals(before, bed.addresses(host, "eth0"));
            try (var left = java.nio.file.Files.list(hostile)) {
                assertEquals(0, left.count(), "nothing was unpacked there");
            }
        } finally {
            java.nio.file.Files.deleteIfExists(hostile);
        }
    }
}
