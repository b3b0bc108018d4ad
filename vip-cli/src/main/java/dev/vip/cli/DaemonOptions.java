package dev.vip.cli;

import dev.vip.core.daemon.DaemonClient;
import dev.vip.core.daemon.Reply;
import dev.vip.core.daemon.Request;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where the daemon's control socket is, and whether to bypass it. */
final class DaemonOptions {
    @Option(names = "--socket", paramLabel = "PATH", defaultValue = "${env:VIP_SOCKET:-/run/vip/vip.sock}",
            description = "The daemon's control socket (default: $VIP_SOCKET or /run/vip/vip.sock).")
    Path socket = DaemonClient.DEFAULT_SOCKET;

    @Option(names = "--direct", description = "Act on the kernel directly even when a daemon is running.")
    boolean direct;

    /**
     * The one "through the daemon or direct" choice: the daemon's reply when one manages this VIP (it
     * fences and announces); empty with --direct, or when no daemon runs or it manages another VIP, so
     * that the caller acts on the kernel itself. A daemon that refuses throws {@link DaemonClient.Refused}.
     */
    Optional<Reply> act(Request.Change change) throws IOException {
        return direct ? Optional.empty() : DaemonClient.act(socket, change);
    }
}
