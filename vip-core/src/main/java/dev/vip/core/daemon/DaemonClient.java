package dev.vip.core.daemon;

import dev.vip.core.Json;
import dev.vip.core.Vip;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Talks to a running daemon over its control socket: one request, one JSON reply. */
public final class DaemonClient {
    public static final Path DEFAULT_SOCKET = Path.of("/run/vip/vip.sock");

    private DaemonClient() {
    }

    /** How long the daemon gives a connection to send its whole request before it drops it. */
    public static final long REQUEST_DEADLINE_MS = 1000;

    /** How long connecting may take (a daemon's backlog full of someone else's connections). */
    static final int CONNECT_TIMEOUT_MS = 1000;
    /** How long the whole reply may take (a claim asks PostgreSQL, within 1 s timeouts). */
    static final int REPLY_TIMEOUT_MS = 5000;

    /** The daemon said no: its words, and whether for want of permission or by fencing. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        private final boolean permission;
        private final boolean fenced;

        public Refused(Path socket, Reply reply) {
            super("the daemon at " + socket + " says: " + reply.error());
            this.permission = reply.refused();
            this.fenced = reply.fenced();
        }

        /** Refused for want of permission (this user may not ask for that). */
        public boolean permission() {
            return permission;
        }

        /** Refused by fencing (PostgreSQL says this node is not the rightful primary). */
        public boolean fenced() {
            return fenced;
        }
    }

    /**
     * Asks a running daemon to act on its VIP (a claim or a release): the reply when it did; empty when no
     * daemon listens there or it manages another VIP, so that the caller acts on the kernel directly. The
     * one "through the daemon or direct" rule of the CLI and the hook.
     *
     * @throws Refused when the daemon says no
     */
    public static Optional<Reply> act(Path socket, Request.Change change) throws IOException {
        return answered(socket, request(socket, change));
    }

    /** A request to the daemon itself (pause, resume): the reply, empty when no daemon listens there. */
    public static Optional<Reply> ask(Path socket, Request.Pause pause) throws IOException {
        return answered(socket, request(socket, pause));
    }

    private static Optional<Reply> answered(Path socket, Optional<Json> json) throws Refused {
        Optional<Reply> reply = json.map(Reply::of);
        if (reply.isEmpty() || reply.get().unmanaged()) {
            return Optional.empty();
        }
        if (!reply.get().ok()) {
            throw new Refused(socket, reply.get());
        }
        return reply;
    }

    /** The reply, or empty when no daemon listens there (no socket file, or nobody accepting). */
    public static Optional<Json> request(Path socket, Request request) throws IOException {
        return request(socket, request.line());
    }

    /**
     * The same for a line that may be no request at all (the tests' malformed ones); a program sends a
     * {@link Request}.
     */
    public static Optional<Json> request(Path socket, String line) throws IOException {
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try (channel) {
            if (!connect(channel, socket)) {
                return Optional.empty(); // a stale socket file (the daemon is gone), or no answer in time
            }
            long deadline = System.nanoTime() + REPLY_TIMEOUT_MS * 1_000_000L;
            ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out); // still blocking: a line fits in the socket's buffer
            }
            channel.configureBlocking(false);
            ByteBuffer in = ByteBuffer.allocate(8192);
            try (Selector selector = Selector.open()) {
                channel.register(selector, SelectionKey.OP_READ);
                while (in.hasRemaining()) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        throw new IOException("the daemon at " + socket + " did not answer within "
                                + REPLY_TIMEOUT_MS + " ms");
                    }
                    selector.select(left);
                    selector.selectedKeys().clear();
                    int n = channel.read(in);
                    if (n < 0 || (n > 0 && in.get(in.position() - 1) == '\n')) {
                        break;
                    }
                }
            }
            String reply = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
            if (reply.isEmpty()) {
                throw new IOException("the daemon at " + socket + " closed the connection without a reply");
            }
            try {
                return Optional.of(Json.parse(reply));
            } catch (IllegalArgumentException e) {
                throw new IOException("the daemon at " + socket + " sent an unreadable reply: " + e.getMessage());
            }
        }
    }

    /**
     * A blocking connect, which on a Unix socket waits while the listener's backlog is full: given up
     * (the channel closed under it) after {@link #CONNECT_TIMEOUT_MS}. The JDK's own Unix-domain channel,
     * so that a command that only talks to the daemon loads no native-call library.
     */
    private static boolean connect(SocketChannel channel, Path socket) {
        Thread guard = new Thread(() -> {
            try {
                Thread.sleep(CONNECT_TIMEOUT_MS);
                channel.close();
            } catch (InterruptedException | IOException e) {
                // connected in time, or closed already
            }
        }, "vip-connect-timeout");
        guard.setDaemon(true);
        guard.start();
        try {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return false;
        } finally {
            guard.interrupt();
        }
    }

    /** Whether something accepts connections on the socket. */
    static boolean isListening(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return connect(channel, socket);
        } catch (IOException e) {
            return false;
        }
    }
}
