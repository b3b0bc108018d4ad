package dev.vip.cli;

import picocli.CommandLine.Command;

/**
 * {@code vip} with every command: the tree the manual page, the shell completion and {@link CommandIndex}
 * are made from at build time. A run builds only the command it runs ({@link Main#tree}); this is the one
 * list of commands, in the order {@code vip --help} shows them.
 */
@Command(subcommands = {AddressCommands.Add.class, AddressCommands.Del.class, AddressCommands.Has.class,
    AddressCommands.Announce.class, AddressCommands.Probe.class, DaemonCommand.class, StatusCommand.class,
    PauseCommands.Pause.class, PauseCommands.Resume.class, HookCommand.class, PgProbeCommand.class})
public final class AllCommands extends Main {
    /** Build time (exec-maven-plugin, process-classes): writes {@link CommandIndex} to the file named. */
    public static void main(String[] args) {
        try {
            CommandIndex.write(java.nio.file.Path.of(args[0]));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
