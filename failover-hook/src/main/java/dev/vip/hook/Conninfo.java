package dev.vip.hook;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A libpq key=value connection string, as repmgr.conf's {@code conninfo} holds it
 * ({@code host=db1 port=5432 user=repmgr dbname=repmgr connect_timeout=2}), turned into a pgjdbc URL and
 * properties. Values may be single-quoted, with backslash escapes (libpq's rules).
 */
public record Conninfo(Map<String, String> values) {

    public Conninfo {
        values = Map.copyOf(values);
    }

    public static Conninfo parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (true) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int keyStart = i;
            while (i < n && text.charAt(i) != '=' && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            String key = text.substring(keyStart, i);
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (key.isEmpty() || i >= n || text.charAt(i) != '=') {
                throw new IllegalArgumentException("conninfo: expected key=value at '" + text.substring(keyStart) + "'");
            }
            i++;
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(text.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("conninfo: unterminated quoted value for " + key);
                }
            } else {
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = text.charAt(i++);
                    }
                    value.append(c);
                }
            }
            out.put(key, value.toString());
        }
        return new Conninfo(out);
    }

    /** jdbc:postgresql://HOST:PORT/DBNAME; hostaddr wins over host, as in libpq. */
    public String jdbcUrl() {
        String host = values.getOrDefault("hostaddr", values.getOrDefault("host", "localhost"));
        if (host.startsWith("/")) {
            throw new IllegalArgumentException("conninfo: host " + host + " is a Unix-socket directory; give a TCP "
                    + "host (e.g. host=127.0.0.1)");
        }
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        String port = values.getOrDefault("port", "5432");
        String db = values.getOrDefault("dbname", values.getOrDefault("user", "postgres"));
        return "jdbc:postgresql://" + host + ":" + port + "/" + db;
    }

    /** user, password, sslmode, application_name; timeouts are set by the caller. */
    public Properties properties() {
        Properties p = new Properties();
        copy("user", "user", p);
        copy("password", "password", p);
        copy("sslmode", "sslmode", p);
        p.setProperty("ApplicationName", values.getOrDefault("application_name", "vip hook"));
        return p;
    }

    private void copy(String from, String to, Properties p) {
        String v = values.get(from);
        if (v != null) {
            p.setProperty(to, v);
        }
    }

    /** The conninfo with any password masked, for log lines. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        values.forEach((k, v) -> out.append(out.length() == 0 ? "" : " ").append(k).append('=')
                .append(k.equals("password") ? "***" : v));
        return out.toString();
    }
}
