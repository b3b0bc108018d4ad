package dev.vip.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for one test, all named with a unique prefix and all removed on close, even
 * after a failure. Every command is logged to stderr before it runs. Nothing here touches the root
 * namespace's interfaces.
 */
public final class TestBed implements AutoCloseable {
    public static final Path ROOT = Path.of(System.getProperty("vip.root", "..")).toAbsolutePath().normalize();
    public static final Path VIP = ROOT.resolve("bin/vip");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix = "vt" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(), 6);
    private final List<String> namespaces = new ArrayList<>();
    private final List<Background> background = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private String bridge;

    public record Result(int exit, String stdout, String stderr) {
        public JsonNode json() throws IOException {
            return JSON.readTree(stdout);
        }

        public List<String> stderrLines() {
            return stderr.isEmpty() ? List.of() : List.of(stderr.split("\n"));
        }
    }

    public TestBed() {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("namespace tests need root (ip netns): run them with scripts/test");
        }
    }

    /**
     * A new namespace named PREFIX-name with loopback up; returns its full name. Interfaces made in it
     * later skip IPv6 DAD, so that their link-local addresses do not change state under a test.
     */
    public String namespace(String name) throws IOException {
        String ns = prefix + "-" + name;
        ok("ip", "netns", "add", ns);
        namespaces.add(ns);
        ok("ip", "-n", ns, "link", "set", "lo", "up");
        ok("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.dad_transmits=0");
        return ns;
    }

    /** A veth pair between two namespaces (or inside one), both ends up. */
    public void veth(String ns1, String if1, String ns2, String if2) throws IOException {
        ok("ip", "-n", ns1, "link", "add", if1, "type", "veth", "peer", "name", if2, "netns", ns2);
        ok("ip", "-n", ns1, "link", "set", if1, "up");
        ok("ip", "-n", ns2, "link", "set", if2, "up");
        settle(ns1, if1);
        settle(ns2, if2);
    }

    /** Waits (at most 5 s) until the interface has no tentative address, so tests see a stable state. */
    public void settle(String ns, String dev) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode tentative = JSON.readTree(ok("ip", "-n", ns, "-j", "addr", "show", "dev", dev, "tentative")
                    .stdout());
            if (tentative.isEmpty() || tentative.get(0).path("addr_info").isEmpty()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException(dev + " in " + ns + " still has tentative addresses after 5 s");
    }

    /** The MAC that {@link #host} gives host number n: 02:00:00:00:00:0n. */
    public static String mac(int n) {
        return String.format("02:00:00:00:00:%02x", n);
    }

    /**
     * A host on the test segment: a namespace whose eth0 (MAC {@link #mac}(n)) is a veth port of a bridge
     * that lives in a namespace of its own. Optional IPv4/IPv6 addresses (CIDR) are added to eth0.
     */
    public String host(String name, int n, String... addresses) throws IOException {
        if (bridge == null) {
            bridge = namespace("sw");
            ok("ip", "-n", bridge, "link", "add", "br0", "type", "bridge");
            ok("ip", "-n", bridge, "link", "set", "br0", "up");
        }
        String ns = namespace(name);
        ok("ip", "-n", bridge, "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ok("ip", "-n", bridge, "link", "set", name, "master", "br0", "up");
        ok("ip", "-n", ns, "link", "set", "eth0", "address", mac(n));
        ok("ip", "-n", ns, "link", "set", "eth0", "up");
        for (String a : addresses) {
            if (a.contains(":")) {
                ok("ip", "-n", ns, "addr", "add", a, "dev", "eth0", "nodad");
            } else {
                ok("ip", "-n", ns, "addr", "add", a, "dev", "eth0");
            }
        }
        settle(ns, "eth0");
        return ns;
    }

    /** Starts a process that runs until the test stops it or the bed closes. */
    public Background start(String name, String... command) throws IOException {
        Background b = new Background(name, List.of(command));
        background.add(b);
        return b;
    }

    /** bin/vip in the background, in a namespace. */
    public Background startVip(String ns, String... args) throws IOException {
        // SIGINT at its default, as at a terminal: a test run started in the background by a script
        // (CI's runner) inherits it ignored, and a process that finds it ignored keeps it so
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "env", "--default-signal=INT",
                VIP.toString()));
        command.addAll(List.of(args));
        Background b = new Background("vip", command);
        background.add(b);
        return b;
    }

    /** tcpdump on eth0 of a namespace, writing to a file; returns once it listens. */
    public Capture capture(String ns, String filter) throws IOException, InterruptedException {
        Path file = Files.createTempFile("vipt", ".pcap");
        files.add(file);
        Background b = start("tcpdump", "ip", "netns", "exec", ns, "tcpdump", "-i", "eth0", "-n", "-U", "--immediate-mode", "-s", "512",
                "-w", file.toString(), filter);
        if (b.await(false, l -> l.contains("listening on"), java.time.Duration.ofSeconds(10)) == null) {
            throw new IOException("tcpdump did not start: " + b.stderr());
        }
        return new Capture(b, file);
    }

    /** A running tcpdump; {@link #stop()} ends it and reads what it wrote. */
    public record Capture(Background process, Path file) {
        public List<Pcap.Frame> stop() throws IOException, InterruptedException {
            Thread.sleep(200); // frames in flight
            process.signal("INT");
            process.waitFor(java.time.Duration.ofSeconds(5));
            return Pcap.read(file);
        }
    }

    /** A fresh directory for one host's socket and FIFO, owned by the given user, removed on close. */
    public Path runtimeDirectory(String name, String owner) throws IOException {
        Path dir = Files.createTempDirectory("vipt-" + name);
        files.add(dir);
        ok("chown", owner + ":", dir.toString());
        ok("chmod", "0755", dir.toString());
        return dir;
    }

    /** A command in a namespace as another user, with the given ambient capabilities (e.g. "net_admin"). */
    public static List<String> as(String ns, String user, String[] capabilities, String... command) {
        // the user's own primary group (nobody's is nogroup on Debian)
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", ns, "setpriv", "--reuid=" + user,
                "--regid=" + primaryGroup(user), "--init-groups"));
        if (capabilities.length > 0) {
            String caps = String.join(",", java.util.Arrays.stream(capabilities).map(c -> "+" + c).toList());
            out.add("--inh-caps=" + caps);
            out.add("--ambient-caps=" + caps);
        }
        out.addAll(List.of(command));
        return out;
    }

    static String primaryGroup(String user) {
        try {
            Process p = new ProcessBuilder("id", "-g", user).start();
            String gid = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || gid.isEmpty()) {
                throw new IllegalStateException("no such user: " + user);
            }
            return gid;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a process given as a full command line (see {@link #as}). */
    public Background start(String name, List<String> command) throws IOException {
        Background b = new Background(name, command);
        background.add(b);
        return b;
    }

    /** {@code ip -j neigh show ADDRESS dev eth0}: the entry, or null. */
    public JsonNode neighbour(String ns, String address) throws IOException {
        JsonNode entries = JSON.readTree(ok("ip", "-n", ns, "-j", "neigh", "show", address, "dev", "eth0").stdout());
        return entries.isEmpty() ? null : entries.get(0);
    }

    /** Polls until the condition holds or the timeout passes; returns whether it held. */
    public static boolean eventually(java.time.Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (check.holds()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
    }

    @FunctionalInterface
    public interface Check {
        boolean holds() throws Exception;
    }

    public Result run(String... command) throws IOException {
        return run(List.of(command));
    }

    public Result run(List<String> command) throws IOException {
        System.err.println("+ " + String.join(" ", command));
        Path out = Files.createTempFile("vipt", ".out");
        Path err = Files.createTempFile("vipt", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            if (!r.stderr.isEmpty()) {
                System.err.print(r.stderr.indent(4));
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs a command that must succeed. */
    public Result ok(String... command) throws IOException {
        Result r = run(command);
        assertEquals(0, r.exit(), () -> "failed: " + String.join(" ", command) + "\n" + r.stderr());
        return r;
    }

    /** bin/vip inside a namespace, as root. */
    public Result vip(String ns, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, VIP.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    /** bin/vip inside a namespace as nobody with no capabilities at all. */
    public Result vipUnprivileged(String ns, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "setpriv", "--reuid=65534",
                "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", VIP.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    /** {@code ip -j addr show dev IF}: the interface's addr_info array. */
    public JsonNode addresses(String ns, String dev) throws IOException {
        return JSON.readTree(ok("ip", "-n", ns, "-j", "addr", "show", "dev", dev).stdout()).get(0).get("addr_info");
    }

    /** The addr_info entry for one address, or null. */
    public JsonNode address(String ns, String dev, String local) throws IOException {
        for (JsonNode a : addresses(ns, dev)) {
            if (local.equals(a.get("local").asText())) {
                return a;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        for (Background b : background) {
            try {
                b.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        background.clear();
        for (Path f : files) {
            if (Files.isDirectory(f)) {
                try (var tree = Files.walk(f)) {
                    for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            } else {
                Files.deleteIfExists(f);
            }
        }
        IOException first = null;
        for (String ns : namespaces) {
            Result r = run("ip", "netns", "del", ns);
            if (r.exit() != 0 && first == null) {
                first = new IOException("could not delete namespace " + ns + ": " + r.stderr());
            }
        }
        namespaces.clear();
        if (first != null) {
            throw first;
        }
    }
}
