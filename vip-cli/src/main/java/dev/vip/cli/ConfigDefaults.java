package dev.vip.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Feeds {@link ConfigFile} settings to picocli as default values, so that flags override the file;
 * checks the file's sections and keys against the commands, and says which file line a bad value came
 * from.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    static final Path DEFAULT_FILE = Path.of("/etc/vip/vip.conf");
    private static final Set<String> NOT_SETTINGS = Set.of("help", "version", "config");
    /** vip status --cluster reads the cluster as the daemon does: these come from [daemon] too. */
    private static final Set<String> STATUS_FROM_DAEMON = Set.of("conninfo", "standby-address", "vip");

    private final ConfigFile file;
    private final String[] args;
    private final Map<OptionSpec, ConfigFile.Entry> used = new IdentityHashMap<>();

    ConfigDefaults(ConfigFile file, String[] args) {
        this.file = file;
        this.args = args.clone();
    }

    /** --config FILE (or --config=FILE) among the arguments, else $VIP_CONFIG, else /etc/vip/vip.conf if present. */
    static ConfigFile locate(String[] args, Map<String, String> env) throws ConfigFile.ConfigException {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (args[i].equals("--config") && i + 1 < args.length) {
                return ConfigFile.load(Path.of(args[i + 1]));
            }
            if (args[i].startsWith("--config=")) {
                return ConfigFile.load(Path.of(args[i].substring("--config=".length())));
            }
        }
        String fromEnv = env.get("VIP_CONFIG");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return ConfigFile.load(Path.of(fromEnv));
        }
        if (Files.exists(DEFAULT_FILE) && !Files.isReadable(DEFAULT_FILE)) {
            // the package makes it 0640 root:vip (it may hold a conninfo): another user's command runs
            // with its options only, and is told so
            System.err.println("vip: note: " + DEFAULT_FILE + " is readable by root and group vip only: its settings "
                    + "are not used here (give them as options, or --config FILE)");
            return ConfigFile.empty();
        }
        return Files.exists(DEFAULT_FILE) ? ConfigFile.load(DEFAULT_FILE) : ConfigFile.empty();
    }

    /** Every section must be a command, every key a long option of it (or, at the top, of some command). */
    private static boolean readableByAll(String name) {
        try {
            java.nio.file.Path p = java.nio.file.Path.of(name);
            return java.nio.file.Files.exists(p) && java.nio.file.Files.getPosixFilePermissions(p)
                    .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean hasPassword(String conninfo) {
        try {
            return dev.vip.hook.Conninfo.parse(conninfo).hasPassword();
        } catch (IllegalArgumentException e) {
            return false; // a malformed conninfo is reported where it is used
        }
    }

    static void validate(ConfigFile file, CommandIndex index) throws ConfigFile.ConfigException {
        Map<String, CommandIndex.Listed> commands = index.commands();
        for (ConfigFile.Entry e : file.entries()) {
            String where = file.name() + ":" + e.line() + ": ";
            if (NOT_SETTINGS.contains(e.key())) {
                throw new ConfigFile.ConfigException(where + "'" + e.key() + "' is not a setting");
            }
            if (e.key().equals("conninfo") && e.value().contains("password") && readableByAll(file.name())
                    && hasPassword(e.value())) {
                throw new ConfigFile.ConfigException(where + "conninfo has a password, and " + file.name()
                        + " can be read by every local user: chmod o-r it (the package installs it 0640 root:vip), "
                        + "or move the password to a pgpass file (passfile=PATH in the conninfo)");
            }
            if (e.section() != null) {
                CommandIndex.Listed command = commands.get(e.section());
                if (command == null) {
                    throw new ConfigFile.ConfigException(where + "unknown section [" + e.section() + "] (sections are "
                            + "command names: " + String.join(", ", new TreeSet<>(commands.keySet())) + ")");
                }
                if (!command.options().contains("--" + e.key())) {
                    throw new ConfigFile.ConfigException(where + "unknown key '" + e.key() + "' in [" + e.section()
                            + "]: vip " + e.section() + " has no option --" + e.key());
                }
            } else if (!anyHas(commands, "--" + e.key())) {
                throw new ConfigFile.ConfigException(where + "unknown key '" + e.key() + "': no vip command has --"
                        + e.key());
            }
        }
    }

    private static boolean anyHas(Map<String, CommandIndex.Listed> commands, String option) {
        for (CommandIndex.Listed c : commands.values()) {
            if (c.options().contains(option)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
            return null;
        }
        String key = option.longestName().substring(2);
        if (NOT_SETTINGS.contains(key) || option.command() == null) {
            return null;
        }
        Optional<ConfigFile.Entry> entry = file.lookup(option.command().name(), key);
        if (entry.isEmpty() && option.command().name().equals("status") && STATUS_FROM_DAEMON.contains(key)) {
            entry = file.lookup("daemon", key);
        }
        if (entry.isEmpty()) {
            return null;
        }
        used.put(option, entry.get());
        return entry.get().value();
    }

    /**
     * A usage error's message, prefixed with the file and line when the offending value came from the file
     * (the option is not on the command line and the file set it; a check made after parsing is matched
     * by the option's name or the quoted value in its message).
     */
    String explain(CommandLine.ParameterException e) {
        String message = e.getMessage();
        if (e.getArgSpec() instanceof OptionSpec option) {
            ConfigFile.Entry entry = used.get(option);
            return entry != null && !given(option) ? located(entry, message) : message;
        }
        for (Map.Entry<OptionSpec, ConfigFile.Entry> u : used.entrySet()) {
            boolean named = message.contains(u.getKey().longestName())
                    || message.contains("'" + u.getValue().value() + "'");
            if (named && !given(u.getKey())) {
                return located(u.getValue(), message);
            }
        }
        return message;
    }

    private String located(ConfigFile.Entry entry, String message) {
        return file.name() + ":" + entry.line() + ": " + entry.name() + " = " + entry.value() + ": " + message;
    }

    private boolean given(OptionSpec option) {
        for (String arg : args) {
            for (String name : option.names()) {
                if (arg.equals(name) || arg.startsWith(name + "=")
                        || (name.length() == 2 && !name.startsWith("--") && arg.startsWith(name))) {
                    return true;
                }
            }
        }
        return false;
    }
}
