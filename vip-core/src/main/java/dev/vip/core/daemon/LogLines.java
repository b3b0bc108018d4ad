package dev.vip.core.daemon;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon's log lines as the journal should get them: each with its syslog priority (a {@code <N>}
 * prefix, which journald reads from a service's stderr, sd-daemon(3)), and a problem that repeats said
 * once per window with a count, not once per occurrence. Outside the journal (a terminal, a file) each
 * line starts with the local time to the millisecond instead, as the journal would have added it. Pure and
 * not thread-safe: the caller serialises (one line at a time) and passes the clock.
 */
public final class LogLines {
    /** Syslog priorities, as sd-daemon(3) prefixes them. */
    public static final int ERR = 3;
    public static final int WARNING = 4;
    public static final int NOTICE = 5;
    public static final int INFO = 6;

    /** The time that starts a line outside the journal: local, to the millisecond, with its offset. */
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx");

    private final long windowMillis;
    private final boolean journal;
    private final ZoneId zone;
    private final Map<String, long[]> repeats = new LinkedHashMap<>(); // line -> {window start, suppressed}

    /**
     * @param windowMillis a problem line seen again within this long after it was printed is counted,
     *     not printed
     * @param journal whether stderr goes to the journal (under systemd: $JOURNAL_STREAM is set): the
     *     priority prefixes each line; otherwise the time does, in {@code zone}
     */
    public LogLines(long windowMillis, boolean journal, ZoneId zone) {
        this.windowMillis = windowMillis;
        this.journal = journal;
        this.zone = zone;
    }

    /** The priority of a daemon log line, from how it is worded. */
    public static int priority(String line) {
        if (line.contains("ERROR") || line.contains("fatal") || line.contains("STALE PRIMARY")) {
            return ERR;
        }
        if (line.contains("failed") || line.contains("cannot ") || line.contains("refused")
                || line.contains("rejected") || line.contains("did not answer")) {
            return WARNING;
        }
        if (line.contains("claim by") || line.contains("release by") || line.contains("standing:")
                || line.contains("defended") || line.contains("paused") || line.contains("resumed")
                || line.contains("yield")) {
            return NOTICE;
        }
        return INFO;
    }

    /** What to print for {@code line} now: the line, or nothing while it repeats within its window. */
    public List<String> accept(String line, long nowMillis) {
        List<String> out = new ArrayList<>(flush(nowMillis));
        int priority = priority(line);
        if (priority <= WARNING) {
            long[] seen = repeats.get(line);
            if (seen != null) {
                seen[1]++;
                return out;
            }
            repeats.put(line, new long[] {nowMillis, 0});
        }
        out.add(format(priority, line, nowMillis));
        return out;
    }

    /**
     * Ends the windows that are over: for a line that came again meanwhile, one line with the count; the
     * next occurrence is printed afresh. Call it now and then (a timer), so that counts are not held back.
     */
    public List<String> flush(long nowMillis) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, long[]>> it = repeats.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, long[]> e = it.next();
            long[] seen = e.getValue();
            if (nowMillis - seen[0] >= windowMillis) {
                if (seen[1] > 0) {
                    out.add(format(priority(e.getKey()), e.getKey() + " (" + seen[1] + " more time"
                            + (seen[1] == 1 ? "" : "s") + " in " + (nowMillis - seen[0]) / 1000 + " s)", nowMillis));
                }
                it.remove();
            }
        }
        return out;
    }

    private String format(int priority, String line, long nowMillis) {
        return journal ? "<" + priority + ">" + line
                : STAMP.format(Instant.ofEpochMilli(nowMillis).atZone(zone)) + " " + line;
    }
}
