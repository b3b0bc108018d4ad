package dev.vip.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * vip hook against a real PostgreSQL 15 primary and a streaming standby in a namespace: fencing lets a
 * primary claim and refuses a standby or a server that does not answer.
 */
class HookFenceIT {
    static final String BIN = "/usr/lib/postgresql/15/bin/";
    static final String CIDR = "198.51.100.10/32";

    private static TestBed bed;
    private static String db;
    private static Path data;

    @BeforeAll
    static void cluster() throws Exception {
        bed = new TestBed();
        db = bed.host("db", 1, "198.51.100.11/24");
        bed.host("client", 3, "198.51.100.100/24");
        data = bed.runtimeDirectory("pg", "postgres");
        postgres(BIN + "initdb", "-D", data.resolve("primary").toString(), "--auth=trust", "-U", "postgres");
        start("primary", 5432);
        postgres(BIN + "pg_basebackup", "-D", data.resolve("standby").toString(), "-R", "-X", "stream",
                "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "--checkpoint=fast");
        start("standby", 5433);
    }

    private static void start(String name, int port) throws Exception {
        postgres(BIN + "pg_ctl", "-D", data.resolve(name).toString(), "-w", "-t", "60", "-l",
                data.resolve(name + ".log").toString(), "-o",
                "-c listen_addresses=127.0.0.1 -c port=" + port + " -c unix_socket_directories=" + data, "start");
    }

    /** A PostgreSQL program as postgres, inside the namespace. */
    private static void postgres(String... command) throws Exception {
        TestBed.Result r = bed.run(TestBed.as(db, "postgres", new String[0], command));
        assertEquals(0, r.exit(), () -> String.join(" ", command) + ": " + r.stderr());
    }

    @AfterAll
    static void stop() throws Exception {
        for (String name : new String[] {"standby", "primary"}) {
            if (Files.exists(data.resolve(name).resolve("postmaster.pid"))) {
                bed.run(TestBed.as(db, "postgres", new String[0], BIN + "pg_ctl", "-D", data.resolve(name).toString(),
                        "-m", "immediate", "stop"));
            }
        }
        bed.close();
    }

    private TestBed.Result hook(int port, String... tail) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", db, TestBed.VIP.toString(), "hook",
                "-i", "eth0", "-a", CIDR, "--count", "1", "--direct",
                "--conninfo", "host=127.0.0.1 port=" + port + " user=postgres dbname=postgres connect_timeout=2"));
        command.addAll(List.of(tail));
        return bed.run(command);
    }

    @Test
    void aPrimaryClaimsAStandbyIsRefusedAndAFollowReleases() throws Exception {
        String hostile = "$(touch /tmp/vipt-pwned) `id` \"; rm -rf /";
        TestBed.Result primary = hook(5432, "1", "standby_promote", "1", "2026-11-26 06:00:00+00", hostile);
        assertEquals(0, primary.exit(), primary.stderr());
        assertTrue(primary.stderr().contains("claimed the VIP"), primary.stderr());
        assertNotNull(bed.address(db, "eth0", "198.51.100.10"));

        TestBed.Result second = hook(5432, "1", "repmgrd_failover_promote", "1");
        assertEquals(0, second.exit(), second.stderr());
        assertTrue(second.stderr().contains("already held"), second.stderr());

        TestBed.Result follow = hook(5432, "1", "standby_follow", "1");
        assertEquals(0, follow.exit(), follow.stderr());
        assertNull(bed.address(db, "eth0", "198.51.100.10"));

        TestBed.Result standby = hook(5433, "1", "standby_promote", "1");
        assertEquals(5, standby.exit(), standby.stderr());
        assertTrue(standby.stderr().contains("in recovery"), standby.stderr());
        assertEquals(1, standby.stderr().lines().count(), "one log line per decision");
        assertNull(bed.address(db, "eth0", "198.51.100.10"));
        assertTrue(Files.notExists(Path.of("/tmp/vipt-pwned")));
    }

    /**
     * A daemon asking a server that has no repmgr metadata (no repmgr.nodes): the statements of its look,
     * sent together, fail as one; it asks them one at a time and still knows the role. On the primary it
     * holds the VIP, on the standby it does not, and each says why it cannot list the nodes.
     */
    @Test
    void aDaemonAskingAServerWithoutRepmgrMetadataStillKnowsItsRole() throws Exception {
        Path run = bed.runtimeDirectory("vipd", "root");
        for (int port : new int[] {5432, 5433}) {
            String socket = run.resolve("vip-" + port + ".sock").toString();
            Background daemon = bed.startVip(db, "daemon", "-i", "eth0", "-a", CIDR, "--count", "1", "--socket", socket,
                    "--node-id", "1", "--health-interval", "300ms",
                    "--conninfo", "host=127.0.0.1 port=" + port + " user=postgres dbname=postgres");
            try {
                assertTrue(TestBed.eventually(Duration.ofSeconds(20), () -> {
                    TestBed.Result r = bed.vip(db, "status", "--json", "--socket", socket);
                    return r.exit() == 0 && r.json().get("checks").asInt() >= 3;
                }), "three looks: " + daemon.stderr());
                JsonNode status = bed.vip(db, "status", "--json", "--socket", socket).json();
                if (port == 5432) {
                    assertEquals("rightful", status.get("standing").asText(), status.toString());
                    assertNotNull(bed.address(db, "eth0", "198.51.100.10"), "the primary's daemon holds the VIP");
                } else {
                    assertEquals("not_rightful", status.get("standing").asText(), status.toString());
                    assertNull(bed.address(db, "eth0", "198.51.100.10"), "the standby's daemon does not");
                }
                assertTrue(daemon.stderr().stream().anyMatch(l -> l.contains("cannot list the nodes (repmgr.nodes)")
                        && l.contains("does not exist")), daemon.stderr().toString());
            } finally {
                daemon.close();
                bed.run("ip", "-n", db, "addr", "del", CIDR, "dev", "eth0");
            }
        }
    }

    @Test
    void returnsAfterTheFirstAnnouncementAndRepeatsInTheBackground() throws Exception {
        String client = db.replace("-db", "-client");
        TestBed.Capture capture = bed.capture(client, "arp and arp[14:4] = 0xc633640a and arp[24:4] = 0xc633640a");
        TestBed.Result r = bed.run("ip", "netns", "exec", db, TestBed.VIP.toString(), "hook", "-i", "eth0", "-a", CIDR,
                "--count", "3", "--interval", "400ms", "--direct", "--no-fence", "1", "standby_promote", "1");
        assertEquals(0, r.exit(), r.stderr());
        Thread.sleep(2500); // the background process: a JVM start, then two rounds 400 ms apart
        List<Pcap.Frame> frames = capture.stop();
        assertEquals(6, frames.size(), "3 rounds of request + reply");
        bed.ok("ip", "-n", db, "addr", "del", CIDR, "dev", "eth0");
    }

    @Test
    void aServerThatDoesNotAnswerIsRefused() throws Exception {
        TestBed.Result r = hook(5999, "1", "standby_promote", "1");
        assertEquals(5, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("did not answer"), r.stderr());
        assertNull(bed.address(db, "eth0", "198.51.100.10"));
    }

    @Test
    void aFailedPromotionNeverClaimsAndNoFenceSkipsTheCheck() throws Exception {
        TestBed.Result failed = hook(5432, "1", "standby_promote", "0");
        assertEquals(0, failed.exit(), failed.stderr());
        assertNull(bed.address(db, "eth0", "198.51.100.10"));

        TestBed.Result noFence = bed.run("ip", "netns", "exec", db, TestBed.VIP.toString(), "hook", "-i", "eth0", "-a",
                CIDR, "--count", "1", "--direct", "--no-fence", "1", "standby_promote", "1");
        assertEquals(0, noFence.exit(), noFence.stderr());
        assertNotNull(bed.address(db, "eth0", "198.51.100.10"));
        bed.ok("ip", "-n", db, "addr", "del", CIDR, "dev", "eth0");
    }

    @Test
    void aPasswordComesFromThePgpassFileTheConninfoNames() throws Exception {
        // a role that must log in with a password (scram), ahead of initdb's trust lines
        postgres(BIN + "psql", "-h", data.toString(), "-p", "5432", "-U", "postgres", "-qc",
                "CREATE ROLE vipcheck LOGIN PASSWORD 'pw-in-pgpass'");
        Path hba = data.resolve("primary").resolve("pg_hba.conf");
        String before = Files.readString(hba);
        bed.ok("sh", "-c", "printf 'host all vipcheck 127.0.0.1/32 scram-sha-256\\n' | cat - " + hba + " > " + hba
                + ".new && cat " + hba + ".new > " + hba + " && rm " + hba + ".new");
        postgres(BIN + "pg_ctl", "-D", data.resolve("primary").toString(), "reload");
        Path pgpass = Files.createTempFile("vipt-pgpass", "");
        try {
            Files.writeString(pgpass, "127.0.0.1:5432:*:vipcheck:pw-in-pgpass\n");
            Files.setPosixFilePermissions(pgpass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Thread.sleep(300); // the reload
            List<String> base = List.of("ip", "netns", "exec", db, TestBed.VIP.toString(), "hook", "-i", "eth0", "-a",
                    CIDR, "--count", "1", "--direct", "--conninfo");
            List<String> without = new ArrayList<>(base);
            without.addAll(List.of("host=127.0.0.1 port=5432 user=vipcheck dbname=postgres", "1", "standby_promote", "1"));
            TestBed.Result refused = bed.run(without);
            assertEquals(5, refused.exit(), "no password, no login: " + refused.stderr());
            assertNull(bed.address(db, "eth0", "198.51.100.10"));
            List<String> with = new ArrayList<>(base);
            with.addAll(List.of("host=127.0.0.1 port=5432 user=vipcheck dbname=postgres passfile=" + pgpass, "1",
                    "standby_promote", "1"));
            TestBed.Result claimed = bed.run(with);
            assertEquals(0, claimed.exit(), "the password from the pgpass file: " + claimed.stderr());
            assertNotNull(bed.address(db, "eth0", "198.51.100.10"));
            bed.ok("ip", "-n", db, "addr", "del", CIDR, "dev", "eth0");
        } finally {
            Files.deleteIfExists(pgpass);
            Files.writeString(hba, before);
            postgres(BIN + "pg_ctl", "-D", data.resolve("primary").toString(), "reload");
        }
    }

    @Test
    void aReadingProbeCountsTheAnswersAPrimaryGave() throws Exception {
        for (int port : new int[] {5433, 5432}) {
            TestBed.Result r = bed.run("ip", "netns", "exec", db, TestBed.VIP.toString(), "pgprobe", "--read", "--json",
                    "--every", "50ms", "--for", "1s", "--conninfo", "host=127.0.0.1 port=" + port
                            + " user=postgres dbname=postgres");
            assertEquals(0, r.exit(), r.stdout() + r.stderr());
            String summary = r.stdout().lines().filter(l -> l.contains("\"event\":\"summary\"")).findFirst()
                    .orElseThrow(() -> new AssertionError("no summary: " + r.stdout()));
            long good = number(summary, "good");
            assertTrue(good >= 10, summary);
            assertEquals(port == 5432 ? good : 0, number(summary, "primary_answers"), summary);
        }
        TestBed.Result rows = bed.run(TestBed.as(db, "postgres", new String[0], BIN + "psql", "-h", data.toString(),
                "-p", "5432", "-U", "postgres", "-qAtc", "select to_regclass('vip_probe') is null"));
        assertEquals("t", rows.stdout().strip(), "reading creates and writes nothing: " + rows.stderr());
    }

    private static long number(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\":(-?\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void aProbeThatCannotWriteSaysWhyOnceAndExitsThree() throws Exception {
        TestBed.Result r = bed.run("ip", "netns", "exec", db, TestBed.VIP.toString(), "pgprobe", "--every", "50ms",
                "--for", "1s", "--conninfo", "host=127.0.0.1 port=5432 user=nosuchrole dbname=postgres");
        assertEquals(3, r.exit(), "it measured nothing: " + r.stdout() + r.stderr());
        assertEquals(1, r.stderr().lines().filter(l -> l.contains("every write fails: SQLSTATE 28")).count(),
                "once, with its SQLSTATE: " + r.stderr());
        assertTrue(r.stdout().contains("nothing was measured"), r.stdout());
    }
}
