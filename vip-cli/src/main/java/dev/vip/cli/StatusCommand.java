package dev.vip.cli;

import dev.vip.core.Json;
import dev.vip.core.daemon.DaemonClient;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vip status}: what the daemon holds and has done. */
@Command(name = "status", description = {"Show the daemon's state: whether it holds the VIP, whether the address "
        + "is present, the last claim and release and who asked, counters, uptime.",
    "Without a daemon (or with --direct), -i and -a: whether the address is on the interface."})
final class StatusCommand implements Callable<Integer>, Main.Reporting {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Mixin
    DaemonOptions daemon;

    @picocli.CommandLine.Option(names = {"-i", "--interface"}, paramLabel = "IF",
            description = "With -a: the VIP to report on when no daemon runs.")
    String interfaceName;

    @picocli.CommandLine.Option(names = {"-a", "--address"}, paramLabel = "CIDR",
            description = "With -i: the VIP to report on when no daemon runs.")
    String address;

    /** No daemon: what the kernel has, as {@code vip has} would say it. */
    private Json direct() throws CommandFailure {
        dev.vip.core.Vip vip;
        try {
            vip = dev.vip.core.Vip.of(interfaceName, address, null);
        } catch (dev.vip.core.InvalidInputException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (dev.vip.core.AddressManager manager = dev.vip.core.AddressManager.open()) {
            dev.vip.core.AddressManager.Presence presence = manager.find(vip);
            return new Json().put("ok", true).put("action", "status").put("interface", vip.interfaceName())
                    .put("address", vip.prefix().toString()).put("daemon", false)
                    .put("present", presence.matchesPrefix(vip))
                    .put("found", presence.address().map(a -> dev.vip.core.AddressManager.describe(vip, a)).orElse(null));
        } catch (IOException e) {
            throw CommandFailure.of("check " + vip.prefix() + " on " + vip.interfaceName(), e);
        }
    }

    @Override
    public OutputOptions output() {
        return output;
    }

    @Override
    public Integer call() throws Exception {
        if ((interfaceName == null) != (address == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "-i and -a go together");
        }
        Optional<Json> reply = Optional.empty();
        if (!daemon.direct) {
            try {
                reply = DaemonClient.request(daemon.socket, "status");
            } catch (IOException e) {
                throw CommandFailure.of("read the daemon's status", e);
            }
        }
        if (reply.isEmpty() && interfaceName == null) {
            throw CommandFailure.failed("no daemon is listening on " + daemon.socket
                    + " (give -i and -a for the address's state without one)");
        }
        Json status = reply.isPresent() ? reply.get() : direct();
        boolean daemonMissing = reply.isEmpty() && !daemon.direct;
        if (daemonMissing) {
            // say it even when the address's state can be shown: a daemon that stopped on a bad setting
            // must not look like a healthy node that simply does not hold the VIP
            spec.commandLine().getErr().println("vip status: no daemon is listening on " + daemon.socket
                    + ": the kernel's state only (is vip-daemon running? journalctl -u vip-daemon; --direct for no daemon)");
            spec.commandLine().getErr().flush();
        }
        if (output.json) {
            spec.commandLine().getOut().println(status);
        } else if (!output.quiet) {
            // one column for the names, as wide as the longest (the standby VIP's are prefixed)
            int width = status.fields().keySet().stream().mapToInt(String::length).max().orElse(0);
            for (Map.Entry<String, Object> e : status.fields().entrySet()) {
                if (!e.getKey().equals("ok") && !e.getKey().equals("action")) {
                    spec.commandLine().getOut().printf("%-" + width + "s  %s%n", e.getKey().replace('_', ' '),
                            e.getValue());
                }
            }
        }
        spec.commandLine().getOut().flush();
        return daemonMissing ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
