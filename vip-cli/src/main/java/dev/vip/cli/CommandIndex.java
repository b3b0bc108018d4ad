package dev.vip.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a run needs to know of the commands it does not run: each command's class, the line
 * {@code vip --help} shows for it, and its long options (to check vip.conf's keys). Building picocli's
 * model of all eleven commands costs a JVM-started command about 0.2 s of reflection, so this is written
 * at build time from {@link AllCommands} (a resource in the jar) and read at run time.
 */
final class CommandIndex {
    static final String RESOURCE = "commands.idx";

    /** One command: its name, the class that runs it, its summary line and its long options. */
    record Listed(String name, String className, String summary, Set<String> options) {
    }

    private final Map<String, Listed> commands;

    CommandIndex(List<Listed> commands) {
        Map<String, Listed> m = new LinkedHashMap<>();
        for (Listed c : commands) {
            m.put(c.name(), c);
        }
        this.commands = m;
    }

    /** The index in the jar (written at build time). */
    static CommandIndex load() {
        try (InputStream in = CommandIndex.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar: rebuild vip (mvn package)");
            }
            List<Listed> list = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.split("\t", -1);
                Set<String> options = new TreeSet<>(List.of(f[3].split(" ")));
                list.add(new Listed(f[0], f[1], f[2], options));
            }
            return new CommandIndex(list);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The index of a built tree: what {@link #main} writes. */
    static CommandIndex of(CommandLine root) {
        List<Listed> list = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            CommandLine.Model.CommandSpec spec = e.getValue().getCommandSpec();
            Set<String> options = new TreeSet<>();
            for (OptionSpec o : spec.options()) {
                if (o.longestName().startsWith("--")) {
                    options.add(o.longestName());
                }
            }
            String[] description = spec.usageMessage().description();
            list.add(new Listed(e.getKey(), spec.userObject().getClass().getName(),
                    description.length == 0 ? "" : description[0], options));
        }
        return new CommandIndex(list);
    }

    Map<String, Listed> commands() {
        return commands;
    }

    Listed get(String name) {
        return commands.get(name);
    }

    /** The class that runs the command (loaded, not yet initialised). */
    Class<?> type(String name) {
        try {
            return Class.forName(commands.get(name).className(), false, CommandIndex.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("vip " + name + ": " + e.getMessage() + " (a stale " + RESOURCE + ")", e);
        }
    }

    List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Listed c : commands.values()) {
            out.add(c.name() + "\t" + c.className() + "\t" + c.summary().replace('\t', ' ') + "\t"
                    + String.join(" ", c.options()));
        }
        return out;
    }

    /**
     * Build time: writes the index of {@link AllCommands} to the file named (see {@link AllCommands#main}),
     * and beside it {@code vip --help}'s text ({@link Entry#USAGE}), rendered from that index as a run
     * would render it.
     */
    static void write(Path out) throws IOException {
        Files.createDirectories(out.getParent());
        CommandIndex index = of(new CommandLine(new AllCommands()));
        Files.write(out, index.lines(), StandardCharsets.UTF_8);
        Files.writeString(out.resolveSibling(Entry.USAGE), Main.usage(index), StandardCharsets.UTF_8);
    }
}
