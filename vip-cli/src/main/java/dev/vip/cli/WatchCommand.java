package dev.vip.cli;

import dev.vip.core.AddressManager;
import dev.vip.core.Json;
import dev.vip.core.Sighting;
import dev.vip.core.Vip;
import dev.vip.core.Watcher;
import dev.vip.netlink.MacAddress;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import sun.misc.Signal;

/** {@code vip del --watch}: runs a {@link Watcher} until SIGTERM or SIGINT, then exits 0. */
final class WatchCommand implements Watcher.Listener {
    private final AddressCommands.Base command;
    private final Vip vip;

    WatchCommand(AddressCommands.Base command, Vip vip) {
        this.command = command;
        this.vip = vip;
    }

    int run() throws CommandFailure {
        String what = "watch " + vip.prefix() + " on " + vip.interfaceName();
        try (AddressManager manager = AddressManager.open()) {
            manager.find(vip); // a missing interface is an error now, not a reopen loop
            Watcher watcher = new Watcher(vip, manager, this);
            Runnable stop = () -> {
                try {
                    watcher.stop(Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            // Handled signals, not a shutdown hook: the JVM would then exit 143, and systemd counts
            // that as a failure unless told otherwise.
            for (String name : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(name), signal -> new Thread(stop, "vip-stop").start());
            }
            watcher.run();
            command.log("stopped watching " + vip.prefix() + " on " + vip.interfaceName());
            if (command.output.json) {
                emit(event("stopped"));
            }
        } catch (IOException e) {
            throw CommandFailure.of(what, e, AddressCommands.ADMIN_AND_RAW);
        }
        return ExitCodes.OK;
    }

    private Json event(String name) {
        return new Json().put("event", name).put("interface", vip.interfaceName())
                .put("address", vip.prefix().toString());
    }

    private void emit(Json json) {
        command.out().println(json);
        command.out().flush();
    }

    @Override
    public void watching(String interfaceName, Set<MacAddress> ownMacs) {
        command.log("watching " + vip.prefix() + " on " + interfaceName + " (own MACs: "
                + ownMacs.stream().map(Object::toString).sorted().collect(Collectors.joining(", ")) + ")");
        if (command.output.json) {
            emit(event("watching"));
        }
    }

    @Override
    public void claimed(Sighting claim, boolean deleted) {
        if (deleted) {
            // one line per deletion; claims while we do not hold the VIP are routine (every announcement
            // of the holder) and only appear in the --json stream
            command.log(vip.prefix().addressText() + " claimed by " + claim.mac() + " (" + claim.kind().text
                    + "): deleted it from " + vip.interfaceName());
        }
        if (command.output.json) {
            emit(event("claim").put("claimer", claim.mac().toString()).put("form", claim.kind().text)
                    .put("deleted", deleted));
        }
    }

    @Override
    public void reopening(String reason, Duration delay) {
        command.log(reason + ": reopening " + vip.interfaceName() + " in " + delay.toMillis() + " ms");
        if (command.output.json) {
            emit(event("reopening").put("reason", reason).put("delay_ms", delay.toMillis()));
        }
    }

    @Override
    public void failed(String what, IOException error) {
        command.log("cannot " + what + ": " + error.getMessage());
        if (command.output.json) {
            emit(event("error").put("message", "cannot " + what + ": " + error.getMessage()));
        }
    }
}
