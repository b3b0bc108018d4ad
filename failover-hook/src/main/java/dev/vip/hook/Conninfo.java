package dev.vip.hook;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A libpq key=value connection string, as repmgr.conf's {@code conninfo} holds it
 * ({@code host=db1 port=5432 user=repmgr dbname=repmgr connect_timeout=2}), turned into pgjdbc
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

    /**
     * Always {@code jdbc:postgresql://}: host, port and database go to pgjdbc as properties, never spliced
     * into the URL, so that no value (a dbname such as {@code x?socketTimeout=0}) can add URL parameters
     * and undo the timeouts that keep a hung server from hanging the caller. Checks the host is TCP.
     */
    public String jdbcUrl() {
        host();
        return "jdbc:postgresql://";
    }

    /** hostaddr wins over host, as in libpq; a Unix-socket directory is refused (pgjdbc speaks TCP). */
    private String host() {
        String host = values.getOrDefault("hostaddr", values.getOrDefault("host", "localhost"));
        if (host.startsWith("/")) {
            throw new IllegalArgumentException("conninfo: host " + host + " is a Unix-socket directory; give a TCP "
                    + "host (e.g. host=127.0.0.1)");
        }
        return host;
    }

    /** HOST:PORT/DBNAME, for messages (IPv6 hosts bracketed). */
    public String target() {
        String host = host();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + values.getOrDefault("port", "5432") + "/"
                + values.getOrDefault("dbname", values.getOrDefault("user", "postgres"));
    }

    /** Whether it carries a password (which belongs in a pgpass file, not on a command line). */
    public boolean hasPassword() {
        return values.containsKey("password");
    }

    /**
     * Host, port, database, user, password, sslmode, application_name, as pgjdbc properties; timeouts
     * are set by the caller (and no key of the conninfo can set them). Without a password pgjdbc reads a
     * pgpass file: {@code passfile=} here (libpq's key), else $PGPASSFILE, else ~/.pgpass.
     */
    public Properties properties() {
        Properties p = new Properties();
        p.setProperty("PGHOST", host());
        p.setProperty("PGPORT", values.getOrDefault("port", "5432"));
        p.setProperty("PGDBNAME", values.getOrDefault("dbname", values.getOrDefault("user", "postgres")));
        copy("user", "user", p);
        copy("password", "password", p);
        copy("sslmode", "sslmode", p);
        p.setProperty("ApplicationName", values.getOrDefault("application_name", "vip hook"));
        String passfile = values.get("passfile");
        if (passfile != null) {
            // pgjdbc takes the pgpass file's location from this property only (one per process: vip uses
            // one conninfo's passfile at a time)
            System.setProperty("org.postgresql.pgpassfile", passfile);
        }
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
