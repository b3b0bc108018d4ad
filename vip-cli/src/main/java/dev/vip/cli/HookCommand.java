package dev.vip.cli;

import dev.vip.core.Claims;
import dev.vip.core.Json;
import dev.vip.core.Vip;
import dev.vip.core.daemon.RepmgrEvent;
import dev.vip.core.daemon.Reply;
import dev.vip.core.daemon.Request;
import dev.vip.hook.Conninfo;
import dev.vip.hook.Fence;
import dev.vip.hook.Hook;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vip hook ... %n %e %s "%t" "%d"}: repmgr's event_notification_command, for setups without the
 * daemon's FIFO path. Claims on a promotion after asking the local PostgreSQL whether it really is a
 * primary; releases when this node follows or rejoins; one log line per decision. repmgr waits for the
 * hook, so it returns once the VIP is in place and the first announcement has left; the repeats go on in
 * the daemon or in a background process.
 */
@Command(name = "hook", description = {"Handle a repmgr event (event_notification_command): claim the VIP on "
        + "standby_promote / repmgrd_failover_promote with success 1 after fencing, release it on "
        + "standby_follow, repmgrd_failover_follow and node_rejoin, ignore the rest.",
    "The timestamp and details arguments are accepted and never used."})
final class HookCommand implements Callable<Integer>, Main.Reporting {
    @Spec
    CommandSpec spec;

    @Mixin
    VipOptions target;

    @Mixin
    OutputOptions output;

    @Mixin
    AddressOptions address;

    @Mixin
    AnnounceOptions announce;

    @Mixin
    DaemonOptions daemon;

    @Option(names = "--conninfo", paramLabel = "CONNINFO",
            description = "The local PostgreSQL, libpq key=value form (e.g. repmgr.conf's conninfo with a TCP host).")
    String conninfo;

    @Option(names = "--fence-timeout", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
            description = "How long fencing waits for PostgreSQL (default: ${DEFAULT-VALUE}).")
    Duration fenceTimeout;

    @Option(names = "--no-fence", description = "Claim without asking PostgreSQL.")
    boolean noFence;

    @Option(names = "--node-id", paramLabel = "N", description = "This node's repmgr id: other ids are ignored.")
    Integer nodeId;

    @Parameters(index = "0", paramLabel = "NODE", description = "The node id (repmgr's %%n).")
    String node;

    @Parameters(index = "1", paramLabel = "EVENT", description = "The event (repmgr's %%e).")
    String event;

    @Parameters(index = "2", paramLabel = "SUCCESS", description = "1 or 0: whether it succeeded (repmgr's %%s).")
    String success;

    @Parameters(index = "3..*", paramLabel = "IGNORED", description = "The timestamp and details (repmgr's %%t, %%d): accepted, never used.")
    List<String> ignored = List.of();

    @Override
    public OutputOptions output() {
        return output;
    }

    @Override
    public Integer call() throws Exception {
        Vip vip = target.vip(address.label);
        announce.validate();
        RepmgrEvent parsed = RepmgrEvent.parse(node + " " + event + " " + success).orElseThrow(() ->
                new ParameterException(spec.commandLine(), "'" + node + " " + event + " " + success
                        + "' is not NODE EVENT SUCCESS (%n %e %s)"));
        if (!noFence && conninfo == null) {
            throw new ParameterException(spec.commandLine(), "--conninfo is required unless --no-fence");
        }
        Conninfo pg = ConninfoOption.parse(spec, conninfo);
        Hook.Outcome outcome = Hook.run(parsed, nodeId, !noFence, new Effects(vip, pg));
        spec.commandLine().getErr().println("vip hook: " + outcome.line());
        spec.commandLine().getErr().flush();
        if (output.json) {
            spec.commandLine().getOut().println(new Json().put("action", "hook").put("event", parsed.event())
                    .put("node", parsed.nodeId()).put("exit", outcome.exitCode()).put("decision", outcome.line()));
            spec.commandLine().getOut().flush();
        }
        return outcome.exitCode();
    }

    /** The daemon when one manages this VIP, else the kernel directly. */
    private final class Effects implements Hook.Effects {
        private final Vip vip;
        private final Conninfo pg;

        Effects(Vip vip, Conninfo pg) {
            this.vip = vip;
            this.pg = pg;
        }

        @Override
        public Fence.Verdict fence() {
            return Fence.check(pg, fenceTimeout);
        }

        @Override
        public boolean claim() throws Exception {
            Optional<Reply> reply = daemon.act(new Request.Claim(vip));
            if (reply.isPresent()) {
                return reply.get().changed();
            }
            boolean added;
            try (Claims claims = Claims.open(vip, address.addOptions(), announce.arpMode, true)) {
                // LEAVE: present means the other event of this promotion got here first, and announced
                added = claims.claim(Claims.IfPresent.LEAVE, Claims.THROW).added();
            }
            if (added) {
                repeatInBackground();
            }
            return added;
        }

        @Override
        public boolean release() throws Exception {
            Optional<Reply> reply = daemon.act(new Request.Release(vip, false));
            if (reply.isPresent()) {
                return reply.get().changed();
            }
            try (Claims claims = Claims.open(vip, address.addOptions(), announce.arpMode, false)) {
                return claims.release().changed();
            }
        }

        /** The remaining rounds, in a process of their own, so that repmgr need not wait for them. */
        private void repeatInBackground() throws IOException {
            if (announce.count <= 1) {
                return;
            }
            ProcessHandle.Info self = ProcessHandle.current().info();
            List<String> command = new ArrayList<>();
            command.add(self.command().orElse("java"));
            command.addAll(List.of(self.arguments().orElse(new String[0])));
            int main = command.indexOf("hook");
            List<String> prefix = new ArrayList<>(command.subList(0, main < 0 ? command.size() : main));
            prefix.addAll(List.of("announce", "-q", "-i", vip.interfaceName(), "-a",
                    vip.prefix().toString(), "--arp-mode", announce.arpMode.name().toLowerCase(),
                    "--count", Integer.toString(announce.count - 1), "--interval", announce.interval.toMillis() + "ms",
                    "--start-after", announce.interval.toMillis() + "ms"));
            new ProcessBuilder(prefix).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        }
    }
}
