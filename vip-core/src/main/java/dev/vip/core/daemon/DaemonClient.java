package dev.vip.core.daemon;

import dev.vip.core.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

/** Talks to a running daemon over its control socket: one request, one JSON reply. */
public final class DaemonClient {
    public static final Path DEFAULT_SOCKET = Path.of("/run/vip/vip.sock");

    private DaemonClient() {
    }

    /** How long connecting may take (a daemon's backlog full of someone else's connections). */
    static final int CONNECT_TIMEOUT_MS = 1000;
    /** How long the whole reply may take (a claim asks PostgreSQL, within 1 s timeouts). */
    static final int REPLY_TIMEOUT_MS = 5000;

    /** The reply, or empty when no daemon listens there (no socket file, or nobody accepting). */
    public static Optional<Json> request(Path socket, String line) throws IOException {
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        UnixSocketChannel channel = UnixSocketChannel.open();
        try (channel) {
            // a blocking connect on a Unix socket waits while the listener's backlog is full, up to
            // SO_SNDTIMEO
            channel.setOption(UnixSocketOptions.SO_SNDTIMEO, CONNECT_TIMEOUT_MS);
            try {
                channel.connect(new UnixSocketAddress(socket.toFile()));
            } catch (IOException e) {
                return Optional.empty(); // a stale socket file (the daemon is gone), or no answer in time
            }
            long deadline = System.currentTimeMillis() + REPLY_TIMEOUT_MS;
            ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (in.hasRemaining()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new IOException("the daemon at " + socket + " did not answer within "
                            + REPLY_TIMEOUT_MS + " ms");
                }
                channel.setOption(UnixSocketOptions.SO_RCVTIMEO, (int) left);
                int n = channel.read(in);
                if (n <= 0 || in.get(in.position() - 1) == '\n') {
                    break;
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

    /** Whether something accepts connections on the socket. */
    static boolean isListening(Path socket) {
        try (UnixSocketChannel channel = UnixSocketChannel.open(new UnixSocketAddress(socket.toFile()))) {
            return channel.isConnected();
        } catch (IOException e) {
            return false;
        }
    }
}
