package dev.vip.cli;

import dev.vip.core.Json;
import dev.vip.core.daemon.DaemonClient;
import dev.vip.core.daemon.Reply;
import dev.vip.core.daemon.Request;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vip pause} and {@code vip resume}: the daemon's maintenance pause, as {@code repmgr service pause}. */
final class PauseCommands {
    private PauseCommands() {
    }

    @Command(name = "pause", description = {"Pause the daemon for maintenance: it holds what it holds and changes "
            + "nothing on its own (no claim, release, repair or announcement from repmgr's events, its checks or "
            + "another host's announcement) until vip resume or its restart; vip add/del through it still work, "
            + "fenced as ever. vip status says paused.",
        "Root, or a user the daemon allows (--allow-user/--allow-group)."})
    static final class Pause extends Base {
        Pause() {
            super("pause");
        }
    }

    @Command(name = "resume", description = {"End the daemon's maintenance pause: it checks at once and converges to "
            + "what PostgreSQL says should be.", "Root, or a user the daemon allows (--allow-user/--allow-group)."})
    static final class Resume extends Base {
        Resume() {
            super("resume");
        }
    }

    abstract static class Base implements Callable<Integer>, Main.Reporting {
        private final String verb;

        @Spec
        CommandSpec spec;

        @Mixin
        OutputOptions output;

        @picocli.CommandLine.Option(names = "--socket", paramLabel = "PATH",
                defaultValue = "${env:VIP_SOCKET:-/run/vip/vip.sock}",
                description = "The daemon's control socket (default: $VIP_SOCKET or /run/vip/vip.sock).")
        java.nio.file.Path socket;

        Base(String verb) {
            this.verb = verb;
        }

        @Override
        public OutputOptions output() {
            return output;
        }

        @Override
        public Integer call() throws CommandFailure {
            Optional<Reply> reply;
            try {
                reply = DaemonClient.ask(socket, new Request.Pause(verb.equals("pause")));
            } catch (IOException e) {
                throw CommandFailure.of(verb + " the daemon", e);
            }
            if (reply.isEmpty()) {
                throw CommandFailure.failed("cannot " + verb + " the daemon: no daemon is listening on " + socket);
            }
            Reply r = reply.get();
            if (output.json) {
                spec.commandLine().getOut().println(new Json().put("ok", true).put("action", verb)
                        .put("changed", r.changed()).put("paused", r.paused()));
            } else if (!output.quiet) {
                spec.commandLine().getOut().println(verb.equals("pause")
                        ? (r.changed() ? "paused: the daemon changes nothing on its own until vip resume"
                                : "already paused")
                        : (r.changed() ? "resumed: the daemon checks now" : "was not paused"));
            }
            return ExitCodes.OK;
        }
    }
}
