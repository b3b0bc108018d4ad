package dev.vip.cli;

import dev.vip.core.Claims;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** The {@code vip} command. */
@Command(name = "vip", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        scope = CommandLine.ScopeType.INHERIT,
        description = "Moves a virtual IP address between hosts at layer 2 (a VIP for PostgreSQL failover).",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:done",
            "1:vip has: the address is not present; vip probe, vip add --probe: the address is in use; vip pgprobe: acknowledged rows went missing; vip status --cluster: something is wrong (listed)",
            "2:usage error or invalid input; nothing was changed",
            "3:the operation failed (kernel or link error, or a conflicting address)",
            "4:missing privilege (needs CAP_NET_ADMIN or CAP_NET_RAW)",
            "5:refused by fencing: vip hook (the local PostgreSQL is not a primary or did not answer); vip add/del through a daemon that asks PostgreSQL (not the rightful primary; a release not forced)"})
public class Main implements Runnable {

    /** A command whose output options say whether errors carry a stack trace. */
    interface Reporting {
        OutputOptions output();
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--config", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT, description = "Settings (default: $VIP_CONFIG, "
            + "else " + "/etc/vip/vip.conf when it exists); options on the command line win over it.")
    java.nio.file.Path config;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: add, del, has, announce, probe, daemon, status, pause, resume, hook or pgprobe");
    }

    public static void main(String[] args) {
        try {
            NativeDirectory.configure();
        } catch (NativeDirectory.Untrusted e) {
            System.err.println("vip: " + e.getMessage());
            System.exit(ExitCodes.FAILED);
        }
        System.exit(run(args));
    }

    /**
     * The tree for these arguments: only the command they name (its class is the only one whose options
     * picocli reflects on); with no command, or one that does not exist, every command by its name and
     * summary alone, for {@code vip --help} and for picocli's usage errors.
     */
    static CommandLine tree(CommandIndex index, String[] args) {
        CommandLine cl = new CommandLine(new Main());
        String name = commandName(args);
        if (name != null && index.get(name) != null) {
            cl.addSubcommand(name, index.type(name));
            return cl;
        }
        for (CommandIndex.Listed c : index.commands().values()) {
            CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create().name(c.name());
            spec.usageMessage().description(c.summary());
            cl.addSubcommand(c.name(), new CommandLine(spec));
        }
        return cl;
    }

    /** What a command's start loads beside picocli's: {@link Claims#preload}. */
    enum Preload {
        NOTHING, NETLINK, NETLINK_AND_PCAP
    }

    /**
     * The native bindings the command will use: rtnetlink to look at or change addresses, libpcap too
     * when it sends or captures frames. The daemon warms itself up; status, pause, resume and pgprobe use
     * neither, and help needs nothing.
     */
    static Preload preloadFor(String command, List<String> args) {
        if (command == null || args.contains("--help") || args.contains("-h")) {
            return Preload.NOTHING;
        }
        return switch (command) {
            case "add" -> args.contains("--no-announce") && !args.contains("--probe") ? Preload.NETLINK
                    : Preload.NETLINK_AND_PCAP;
            case "del" -> args.contains("--watch") ? Preload.NETLINK_AND_PCAP : Preload.NETLINK;
            case "has" -> Preload.NETLINK;
            case "announce", "probe", "hook" -> Preload.NETLINK_AND_PCAP;
            default -> Preload.NOTHING;
        };
    }

    /** The first argument that is not an option (nor --config's value): the command's name, if any. */
    static String commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                return null;
            } else if (args[i].equals("--config")) {
                i++;
            } else if (!args[i].startsWith("-")) {
                return args[i];
            }
        }
        return null;
    }

    static int run(String... args) {
        Preload preload = preloadFor(commandName(args), List.of(args));
        if (preload != Preload.NOTHING) {
            Claims.preload(preload == Preload.NETLINK_AND_PCAP); // in a thread of its own
        }
        CommandIndex index = CommandIndex.load();
        CommandLine cl = tree(index, args);
        ConfigDefaults defaults;
        try {
            ConfigFile file = ConfigDefaults.locate(args, System.getenv());
            ConfigDefaults.validate(file, index);
            defaults = new ConfigDefaults(file, args);
        } catch (ConfigFile.ConfigException e) {
            cl.getErr().println("vip: " + e.getMessage());
            cl.getErr().flush();
            return ExitCodes.USAGE;
        }
        return configure(cl, defaults).execute(args);
    }

    static CommandLine commandLine() {
        return configure(new CommandLine(new AllCommands()), new ConfigDefaults(ConfigFile.empty(), new String[0]));
    }

    /** {@code vip --help}'s text for this index, as a run prints it (what {@link Entry} prints, made at build time). */
    static String usage(CommandIndex index) {
        String[] help = {"--help"};
        return configure(tree(index, help), new ConfigDefaults(ConfigFile.empty(), help)).getUsageMessage();
    }

    /**
     * Error handling, the settings file as the source of default values, and help without ANSI styles
     * (the same text at a terminal as in a pipe, and as {@link Entry} prints it).
     */
    static CommandLine configure(CommandLine cl, ConfigDefaults defaults) {
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        cl.setDefaultValueProvider(defaults);
        cl.setExecutionExceptionHandler(new ExecutionErrors());
        cl.setParameterExceptionHandler(new UsageErrors(defaults));
        return cl;
    }

    /**
     * A failed command: its one-line message, a stack trace with -v, the exit code its failure names.
     * (A class rather than a lambda: class-data sharing cannot archive a lambda of an interface from
     * picocli's Java 5 class files, and would then leave picocli's main class out of the archive.)
     */
    private static final class ExecutionErrors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
            PrintWriter err = commandLine.getErr();
            boolean verbose = commandLine.getCommand() instanceof Reporting r && r.output().verbose;
            int code = e instanceof CommandFailure f ? f.exitCode : ExitCodes.FAILED;
            err.println("vip: " + (e instanceof CommandFailure ? e.getMessage() : e.toString()));
            if (verbose) {
                (e.getCause() != null && e instanceof CommandFailure ? e.getCause() : e).printStackTrace(err);
            }
            err.flush();
            return code;
        }
    }

    /** A usage error: one line naming the command (and the settings file's line when the value came from it). */
    private static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
        private final ConfigDefaults defaults;

        UsageErrors(ConfigDefaults defaults) {
            this.defaults = defaults;
        }

        @Override
        public int handleParseException(CommandLine.ParameterException e, String[] args) {
            PrintWriter err = e.getCommandLine().getErr();
            String name = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println(name + ": " + defaults.explain(e) + " (see '" + name + " --help')");
            err.flush();
            return ExitCodes.USAGE;
        }
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Entry.version()};
        }
    }
}
