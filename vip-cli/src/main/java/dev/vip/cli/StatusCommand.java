package dev.vip.cli;

import dev.vip.core.Json;
import dev.vip.core.daemon.DaemonClient;
import dev.vip.core.daemon.Request;
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
    "Without a daemon (or with --direct), -i and -a: whether the address is on the interface.",
    "--cluster: the whole cluster from here: every repmgr node's role, timeline, lag and repmgrd, who answers "
        + "for each VIP on the segment now (probed from -i), and anything wrong (exit 1), for monitoring."})
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

    @picocli.CommandLine.Option(names = "--cluster", description = "Report on the whole cluster (needs --conninfo, "
            + "-i and -a, as the daemon's; root: it sends ARP probes). Exit 1 when something is wrong.")
    boolean cluster;

    @picocli.CommandLine.Option(names = "--conninfo", paramLabel = "CONNINFO",
            description = "With --cluster: this node's PostgreSQL, as the daemon's (repmgr.nodes is read there).")
    String conninfo;

    @picocli.CommandLine.Option(names = "--standby-address", paramLabel = "CIDR",
            description = "With --cluster: the standby VIP, as the daemon's.")
    String standbyAddress;

    @picocli.CommandLine.Option(names = "--vip", paramLabel = "VIP", split = ",",
            description = "With --cluster: another VIP, as the daemon's ROLE:CIDR[:LABEL].")
    java.util.List<String> extraVips = java.util.List.of();

    @picocli.CommandLine.Option(names = "--arp-wait", paramLabel = "DURATION", defaultValue = "1s",
            converter = DurationConverter.class,
            description = "With --cluster: how long to listen for answers (default: ${DEFAULT-VALUE}).")
    java.time.Duration arpWait;

    /** --cluster: the report, printed; 0 when nothing is wrong, 1 when something is. */
    private int cluster() throws CommandFailure {
        if (conninfo == null || interfaceName == null || address == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--cluster needs --conninfo, -i and -a (or conninfo, interface and address in vip.conf)");
        }
        if (arpWait.toMillis() < 100 || arpWait.compareTo(java.time.Duration.ofSeconds(10)) > 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--arp-wait must be 100ms-10s");
        }
        java.util.List<ClusterStatus.Target> targets = new java.util.ArrayList<>();
        try {
            targets.add(new ClusterStatus.Target("primary", dev.vip.core.Vip.of(interfaceName, address, null)));
            if (standbyAddress != null) {
                targets.add(new ClusterStatus.Target("standby", dev.vip.core.Vip.of(interfaceName, standbyAddress, null)));
            }
            for (String extra : extraVips) {
                DaemonCommand.RoleVip r = DaemonCommand.RoleVip.parse(extra.strip(), interfaceName);
                targets.add(new ClusterStatus.Target(r.role(), r.vip()));
            }
        } catch (IllegalArgumentException e) { // InvalidInputException too
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Json report = ClusterStatus.survey(ConninfoOption.parse(spec, conninfo), interfaceName, targets, arpWait);
        if (output.json) {
            spec.commandLine().getOut().println(report);
        } else if (!output.quiet) {
            ClusterStatus.print(report, spec.commandLine().getOut());
        }
        spec.commandLine().getOut().flush();
        return report.flag("ok") ? ExitCodes.OK : ExitCodes.NOT_PRESENT;
    }

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
        if (cluster) {
            return cluster();
        }
        if ((interfaceName == null) != (address == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "-i and -a go together");
        }
        Optional<Json> reply = Optional.empty();
        if (!daemon.direct) {
            try {
                reply = DaemonClient.request(daemon.socket, new Request.Status());
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
