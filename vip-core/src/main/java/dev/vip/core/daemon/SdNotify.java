package dev.vip.core.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * systemd's notification protocol (sd_notify(3)): datagrams such as {@code READY=1} and
 * {@code WATCHDOG=1} to the socket in $NOTIFY_SOCKET. Absent outside a {@code Type=notify} unit, and
 * then every call does nothing.
 */
public final class SdNotify implements AutoCloseable {
    private final UnixDatagramChannel channel;
    private final UnixSocketAddress target;
    private final Duration watchdog;

    private SdNotify(UnixDatagramChannel channel, UnixSocketAddress target, Duration watchdog) {
        this.channel = channel;
        this.target = target;
        this.watchdog = watchdog;
    }

    /** From the environment systemd gives the service; empty when there is no notification socket. */
    public static Optional<SdNotify> fromEnvironment(Map<String, String> env) throws IOException {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return Optional.empty();
        }
        // '@' names a socket in the abstract namespace: a leading NUL byte
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        Duration watchdog = null;
        String usec = env.get("WATCHDOG_USEC");
        String pid = env.get("WATCHDOG_PID");
        if (usec != null && (pid == null || pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            try {
                watchdog = Duration.ofNanos(Long.parseLong(usec) * 1000);
            } catch (NumberFormatException e) {
                watchdog = null;
            }
        }
        return Optional.of(new SdNotify(UnixDatagramChannel.open(), new UnixSocketAddress(path), watchdog));
    }

    /** The watchdog interval systemd expects pings within (WatchdogSec=), if it set one. */
    public Optional<Duration> watchdog() {
        return Optional.ofNullable(watchdog);
    }

    public void send(String state) throws IOException {
        channel.send(ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8)), target);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
