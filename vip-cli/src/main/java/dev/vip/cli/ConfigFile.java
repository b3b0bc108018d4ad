package dev.vip.cli;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /etc/vip/vip.conf}: {@code key = value} lines, where a key is a long option without its dashes
 * ({@code interface = eth0}); {@code [command]} starts a section whose keys apply to that command only
 * ({@code [hook]}, {@code [daemon]}) and win over the keys before any section, which apply to every
 * command that has the option. {@code #} at the start of a line or after white space, outside quotes,
 * starts a comment that runs to the end of the line; a value may be quoted with ' or ".
 * A repeatable option takes a comma-separated list. Pure: no picocli, no validation against commands.
 */
final class ConfigFile {
    /** One setting, with where it came from. */
    record Entry(String section, String key, String value, int line) {
        /** "[hook] conninfo" or "interface". */
        String name() {
            return section == null ? key : "[" + section + "] " + key;
        }
    }

    /** A file that cannot be used, with a message that names the file and the line. */
    static final class ConfigException extends Exception {
        ConfigException(String message) {
            super(message);
        }
    }

    private static final Pattern SECTION = Pattern.compile("\\[\\s*([a-z][a-z0-9-]*)\\s*]");
    private static final Pattern SETTING = Pattern.compile("([a-z][a-z0-9-]*)\\s*=\\s*(.*)");

    private final String name;
    private final Map<String, Entry> entries; // "section key" or " key"

    private ConfigFile(String name, Map<String, Entry> entries) {
        this.name = name;
        this.entries = entries;
    }

    static ConfigFile empty() {
        return new ConfigFile("(none)", Map.of());
    }

    static ConfigFile load(Path path) throws ConfigException {
        try {
            return parse(path.toString(), Files.readAllLines(path, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new ConfigException(path + ": no such file");
        } catch (MalformedInputException e) {
            throw new ConfigException(path + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot read it: " + e.getMessage());
        }
    }

    static ConfigFile parse(String name, List<String> lines) throws ConfigException {
        Map<String, Entry> out = new LinkedHashMap<>();
        String section = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = withoutComment(lines.get(i)).strip();
            int number = i + 1;
            if (line.isEmpty()) {
                continue;
            }
            Matcher s = SECTION.matcher(line);
            if (s.matches()) {
                section = s.group(1);
                continue;
            }
            Matcher m = SETTING.matcher(line);
            if (!m.matches()) {
                throw new ConfigException(name + ":" + number + ": expected 'key = value' or '[command]', not '"
                        + printable(line) + "'");
            }
            String key = m.group(1);
            String value = unquote(m.group(2).strip(), name, number, key);
            String id = (section == null ? "" : section) + " " + key;
            Entry previous = out.get(id);
            if (previous != null) {
                throw new ConfigException(name + ":" + number + ": key '" + key + "' is set twice in "
                        + (section == null ? "the top of the file" : "[" + section + "]") + " (lines " + previous.line()
                        + " and " + number + "): keep one line (a repeatable option takes a comma-separated list)");
            }
            out.put(id, new Entry(section, key, value, number));
        }
        return new ConfigFile(name, out);
    }

    /**
     * The line without its comment: a comment starts with '#' at the start of the line or after white
     * space, outside quotes ('...' or "..."), and runs to the end of the line. A '#' inside a word
     * (eth0#1) or inside quotes is part of the value.
     */
    static String withoutComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String unquote(String value, String name, int number, String key) throws ConfigException {
        if (value.length() >= 1 && (value.charAt(0) == '"' || value.charAt(0) == '\'')) {
            char q = value.charAt(0);
            if (value.length() < 2 || value.charAt(value.length() - 1) != q) {
                throw new ConfigException(name + ":" + number + ": key '" + key + "': unterminated quote");
            }
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    private static String printable(String s) {
        String cut = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    String name() {
        return name;
    }

    List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    /** The setting of {@code key} for {@code command}: its own section first, then the top of the file. */
    Optional<Entry> lookup(String command, String key) {
        Entry own = entries.get(command + " " + key);
        return own != null ? Optional.of(own) : Optional.ofNullable(entries.get(" " + key));
    }
}
