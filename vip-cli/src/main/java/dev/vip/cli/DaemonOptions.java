package dev.vip.cli;

import dev.vip.core.daemon.DaemonClient;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the daemon's control socket is, and whether to bypass it. */
final class DaemonOptions {
    @Option(names = "--socket", paramLabel = "PATH", defaultValue = "${env:VIP_SOCKET:-/run/vip/vip.sock}",
            description = "The daemon's control socket (default: $VIP_SOCKET or /run/vip/vip.sock).")
    Path socket = DaemonClient.DEFAULT_SOCKET;

    @Option(names = "--direct", description = "Act on the kernel directly even when a daemon is running.")
    boolean direct;
}
