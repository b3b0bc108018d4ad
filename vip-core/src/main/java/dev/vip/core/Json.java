package dev.vip.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON object on one line (strings, booleans, numbers; objects and lists of them nested, for
 * {@code vip status --cluster}): the CLI's --json output and the daemon's control-socket replies.
 * {@link #parse} reads back the flat subset, which is all the socket carries. Hand-written rather than a
 * library because of start-up: jackson-jr costs a command about 21 ms more (BENCHMARKS.md, "JSON").
 */
public final class Json {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    /** An empty object. */
    public Json() {
    }

    /** Adds a field; null values are left out. */
    public Json put(String key, Object value) {
        if (value != null) {
            fields.put(key, value);
        }
        return this;
    }

    public Object get(String key) {
        return fields.get(key);
    }

    public String string(String key) {
        Object v = fields.get(key);
        return v == null ? null : v.toString();
    }

    public boolean flag(String key) {
        return Boolean.TRUE.equals(fields.get(key));
    }

    public Map<String, Object> fields() {
        return java.util.Collections.unmodifiableMap(fields);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            quote(out, e.getKey());
            out.append(':');
            value(out, e.getValue());
        }
        return out.append('}').toString();
    }

    private static void value(StringBuilder out, Object v) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean || v instanceof Number || v instanceof Json) {
            out.append(v);
        } else if (v instanceof Iterable<?> items) {
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                value(out, item);
            }
            out.append(']');
        } else {
            quote(out, v.toString());
        }
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Parses a flat object as {@link #toString} writes it; anything else is an IllegalArgumentException. */
    public static Json parse(String text) {
        Json json = new Json();
        String s = text.strip();
        int[] i = {0};
        expect(s, i, '{');
        skipSpace(s, i);
        if (peek(s, i) == '}') {
            i[0]++;
            return json;
        }
        while (true) {
            skipSpace(s, i);
            String key = readString(s, i);
            skipSpace(s, i);
            expect(s, i, ':');
            skipSpace(s, i);
            char c = peek(s, i);
            Object value;
            if (c == '"') {
                value = readString(s, i);
            } else {
                int start = i[0];
                while (i[0] < s.length() && ",} \t".indexOf(s.charAt(i[0])) < 0) {
                    i[0]++;
                }
                String word = s.substring(start, i[0]);
                value = switch (word) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> {
                        try {
                            yield Long.parseLong(word);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("not a flat JSON value: " + word);
                        }
                    }
                };
            }
            json.fields.put(key, value);
            skipSpace(s, i);
            char next = peek(s, i);
            i[0]++;
            if (next == '}') {
                return json;
            }
            if (next != ',') {
                throw new IllegalArgumentException("expected , or } at " + (i[0] - 1));
            }
        }
    }

    private static char peek(String s, int[] i) {
        if (i[0] >= s.length()) {
            throw new IllegalArgumentException("unexpected end of JSON");
        }
        return s.charAt(i[0]);
    }

    private static void expect(String s, int[] i, char c) {
        if (peek(s, i) != c) {
            throw new IllegalArgumentException("expected " + c + " at " + i[0]);
        }
        i[0]++;
    }

    private static void skipSpace(String s, int[] i) {
        while (i[0] < s.length() && Character.isWhitespace(s.charAt(i[0]))) {
            i[0]++;
        }
    }

    private static String readString(String s, int[] i) {
        expect(s, i, '"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = peek(s, i);
            i[0]++;
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = peek(s, i);
            i[0]++;
            switch (e) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (i[0] + 4 > s.length()) {
                        throw new IllegalArgumentException("bad \\u escape");
                    }
                    out.append((char) Integer.parseInt(s.substring(i[0], i[0] + 4), 16));
                    i[0] += 4;
                }
                default -> out.append(e);
            }
        }
    }
}
