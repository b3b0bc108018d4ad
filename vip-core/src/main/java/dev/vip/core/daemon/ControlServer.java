package dev.vip.core.daemon;

import dev.vip.core.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;
import jnr.unixsocket.Credentials;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

/**
 * The control socket: one request line per connection ({@code claim IF CIDR}, {@code release IF CIDR},
 * {@code release IF CIDR force} (root only), {@code status}), one JSON line back. Anyone may connect (mode 0666) and ask for the status; who may
 * claim and release is decided from the peer's credentials (SO_PEERCRED), never from the file mode, so
 * that a refused peer is told why. Every request is logged with the peer's uid and pid.
 */
final class ControlServer {
    private static final int MAX_REQUEST = 256;

    private final Path path;
    private final Authorizer authorizer;
    private final VipDaemon daemon;
    private final Consumer<String> log;
    private UnixServerSocketChannel server;
    private volatile boolean stopping;
    private Thread thread;

    ControlServer(Path path, Authorizer authorizer, VipDaemon daemon, Consumer<String> log) {
        this.path = path;
        this.authorizer = authorizer;
        this.daemon = daemon;
        this.log = log;
    }

    void start() throws IOException {
        if (Files.exists(path)) {
            if (DaemonClient.isListening(path)) {
                throw new IOException("another daemon is listening on " + path);
            }
            Files.delete(path); // left by a daemon that was killed
        }
        server = UnixServerSocketChannel.open();
        server.socket().bind(new UnixSocketAddress(path.toFile()));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
        thread = new Thread(this::serve, "vip-control");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        while (!stopping) {
            try (UnixSocketChannel peer = server.accept()) {
                if (peer == null || stopping) {
                    continue;
                }
                handle(peer);
            } catch (IOException e) {
                if (!stopping) {
                    log.accept("control socket: " + e.getMessage());
                }
            }
        }
    }

    private void handle(UnixSocketChannel peer) throws IOException {
        Credentials who = peer.getOption(UnixSocketOptions.SO_PEERCRED);
        peer.setOption(UnixSocketOptions.SO_RCVTIMEO, 2000);
        String line = readLine(peer);
        Requester requester = new Requester("socket", who.getUid(), who.getPid());
        Json reply = answer(line, requester, who);
        ByteBuffer out = ByteBuffer.wrap((reply + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            peer.write(out);
        }
    }

    private Json answer(String line, Requester requester, Credentials who) {
        if (line == null) {
            daemon.countRequest(true);
            log.accept("request from " + requester + ": unreadable (too long, not UTF-8 or no newline): refused");
            return error("a request is one line: claim|release IF CIDR, or status");
        }
        String[] words = line.strip().split(" ");
        String verb = words[0];
        if (verb.equals("status") && words.length == 1) {
            return daemon.status(); // read-only: open to anyone, and not counted
        }
        boolean change = verb.equals("claim") || verb.equals("release");
        boolean force = verb.equals("release") && words.length == 4 && words[3].equals("force");
        if (!change || (words.length != 3 && !force)) {
            daemon.countRequest(true);
            log.accept("request from " + requester + ": '" + printable(line) + "': refused (malformed)");
            return error("unknown request '" + printable(line) + "': claim IF CIDR, release IF CIDR [force], or status");
        }
        DaemonConfig config = daemon.config();
        if (!words[1].equals(config.vip().interfaceName()) || !words[2].equals(config.vip().prefix().toString())) {
            daemon.countRequest(true);
            log.accept("request from " + requester + ": " + verb + " " + printable(words[1]) + " "
                    + printable(words[2]) + ": refused (this daemon manages " + config.vip().prefix() + " on "
                    + config.vip().interfaceName() + ")");
            return error("this daemon manages " + config.vip().prefix() + " on " + config.vip().interfaceName())
                    .put("unmanaged", true);
        }
        if (!authorizer.mayChange(who.getUid(), who.getGid(), who.getPid())) {
            daemon.countRequest(true);
            log.accept("request from " + requester + ": " + verb + ": refused (not an allowed user or group)");
            return error("permission denied: uid " + who.getUid() + " may not " + verb
                    + " the VIP (allowed: root and the daemon's --allow-user/--allow-group)").put("refused", true);
        }
        if (force && who.getUid() != 0) {
            daemon.countRequest(true);
            log.accept("request from " + requester + ": release force: refused (root only)");
            return error("permission denied: only root may force a release").put("refused", true);
        }
        daemon.countRequest(false);
        log.accept("request from " + requester + ": " + verb + (force ? " (forced)" : ""));
        return verb.equals("claim") ? daemon.claim(requester) : daemon.release(requester, force);
    }

    private static Json error(String message) {
        return new Json().put("ok", false).put("error", message);
    }

    /** Control characters and quotes are replaced, so that a log line stays one honest line. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 || c == 0x7f || c == '\'' ? '?' : c);
        }
        return out.length() > 64 ? out.substring(0, 64) + "..." : out.toString();
    }

    /** One line of at most MAX_REQUEST bytes, or null. */
    private static String readLine(UnixSocketChannel peer) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);
        while (in.hasRemaining()) {
            int n = peer.read(in);
            if (n <= 0) {
                break;
            }
            for (int i = in.position() - n; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    return decode(in.array(), i);
                }
            }
        }
        return null;
    }

    private static String decode(byte[] raw, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw, 0, length)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    void stop() {
        stopping = true;
        try {
            DaemonClient.isListening(path); // wakes the blocking accept
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.accept("cannot remove " + path + ": " + e.getMessage());
        }
    }
}
