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
@Command(name = "status", description = "Show the daemon's state: whether it holds the VIP, whether the address "
        + "is present, the last claim and release and who asked, counters, uptime.")
final class StatusCommand implements Callable<Integer>, Main.Reporting {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Mixin
    DaemonOptions daemon;

    @Override
    public OutputOptions output() {
        return output;
    }

    @Override
    public Integer call() throws Exception {
        Optional<Json> reply;
        try {
            reply = DaemonClient.request(daemon.socket, "status");
        } catch (IOException e) {
            throw CommandFailure.of("read the daemon's status", e);
        }
        if (reply.isEmpty()) {
            throw CommandFailure.failed("no daemon is listening on " + daemon.socket);
        }
        Json status = reply.get();
        if (output.json) {
            spec.commandLine().getOut().println(status);
        } else if (!output.quiet) {
            for (Map.Entry<String, Object> e : status.fields().entrySet()) {
                if (!e.getKey().equals("ok") && !e.getKey().equals("action")) {
                    spec.commandLine().getOut().printf("%-20s %s%n", e.getKey().replace('_', ' '), e.getValue());
                }
            }
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
