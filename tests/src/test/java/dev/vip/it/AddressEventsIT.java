package dev.vip.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rtnetlink address subscription sees IPv4 and IPv6 adds and deletes made by someone else (ip). */
class AddressEventsIT {
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

    @Test
    void reportsAddsAndDeletesWithLabelAndIndex() throws Exception {
        String classpath = TestBed.ROOT.resolve("tests/target/classes") + ":"
                + TestBed.ROOT.resolve("vip-cli/target/lib") + "/*";
        Process watcher = new ProcessBuilder("ip", "netns", "exec", host, "java", "-cp", classpath,
                "dev.vip.tools.PrintAddressEvents", "4", "5000").redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(watcher.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            bed.ok("ip", "-n", host, "addr", "add", "198.51.100.10/32", "dev", "eth0", "label", "eth0:7");
            bed.ok("ip", "-n", host, "addr", "add", "2001:db8::10/64", "dev", "eth0", "nodad");
            bed.ok("ip", "-n", host, "addr", "del", "198.51.100.10/32", "dev", "eth0");
            bed.ok("ip", "-n", host, "addr", "del", "2001:db8::10/64", "dev", "eth0");
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
            }
        } finally {
            assertTrue(watcher.waitFor(10, TimeUnit.SECONDS));
        }
        String index = bed.ok("ip", "-n", host, "-j", "link", "show", "dev", "eth0").stdout()
                .replaceAll("(?s).*\"ifindex\":(\\d+).*", "$1");
        assertEquals(List.of(
                "ADDED 198.51.100.10/32 index " + index + " label eth0:7",
                "ADDED 2001:db8:0:0:0:0:0:10/64 index " + index + " label null",
                "REMOVED 198.51.100.10/32 index " + index + " label eth0:7",
                "REMOVED 2001:db8:0:0:0:0:0:10/64 index " + index + " label null"), lines);
    }
}
