package dev.vip.core.daemon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon's state in the Prometheus text exposition format (version 0.0.4): one family per metric,
 * its HELP and TYPE first, names and units after the Prometheus conventions ({@code _total} counters,
 * {@code _seconds} times). Pure: a list of samples in, the text out.
 */
public final class Metrics {
    /** One VIP's sample, with its role (primary or standby) as a label. */
    public record Labelled(String role, VipDaemon.MetricsSample sample) {
    }

    private Metrics() {
    }

    public static String render(List<Labelled> vips) {
        Families f = new Families();
        for (Labelled l : vips) {
            VipDaemon.MetricsSample s = l.sample();
            String id = labels("vip", s.vip(), "interface", s.interfaceName(), "role", l.role());
            String vip = labels("vip", s.vip());
            f.gauge("vip_held", "Whether this node holds the VIP (1) or not (0).", id, bool(s.held()));
            f.gauge("vip_present", "Whether the VIP is on the interface now, as the kernel says.", id,
                    bool(s.present()));
            for (Map.Entry<String, Long> e : s.claims().entrySet()) {
                f.counter("vip_claims_total", "Claims done (the address added or kept, and announced), by what asked.",
                        labels("vip", s.vip(), "source", e.getKey()), e.getValue());
            }
            for (Map.Entry<String, Long> e : s.releases().entrySet()) {
                f.counter("vip_releases_total", "Releases done (the address deleted if present), by what asked.",
                        labels("vip", s.vip(), "reason", e.getKey()), e.getValue());
            }
            f.counter("vip_foreign_announcements_total", "Announcements of the VIP by another host.", vip,
                    s.foreignAnnouncements());
            f.counter("vip_announcements_sent_total", "Gratuitous ARP / unsolicited neighbour advertisement frames "
                    + "sent for the VIP.", vip, s.announcementsSent());
            f.counter("vip_repairs_total", "Times a held VIP that had gone from the interface was put back.", vip,
                    s.repairs());
            f.counter("vip_fence_refusals_total", "Claims or releases refused because PostgreSQL's truth forbade them.",
                    vip, s.fenceRefusals());
            f.counter("vip_errors_total", "Operations on the VIP that failed.", vip, s.errors());
            f.counter("vip_checks_total", "Decisions taken from PostgreSQL's truth.", vip, s.checks());
            f.gauge("vip_stale_primary", "Whether this node's PostgreSQL is a stale primary (another reachable "
                    + "primary is on a higher timeline).", vip, bool(s.stale()));
            f.gauge("vip_paused", "Whether the daemon is paused by the operator (vip pause).", vip, bool(s.paused()));
            f.gauge("vip_last_transition_timestamp_seconds", "When the VIP was last taken or let go here (Unix time).",
                    vip, s.lastTransition().toEpochMilli() / 1000.0);
        }
        // PostgreSQL as the primary VIP's last decision saw it (absent without --conninfo or before a look)
        vips.stream().filter(l -> l.role().equals("primary") && l.sample().self() != null).findFirst()
                .map(l -> l.sample().self()).ifPresent(self -> {
                    boolean up = self.role() != Truth.Role.UNREACHABLE;
                    f.gauge("vip_postgres_up", "Whether this node's PostgreSQL answered the last check.", "", bool(up));
                    if (up) {
                        f.gauge("vip_postgres_primary", "Whether this node's PostgreSQL is a primary (1) or a standby "
                                + "(0).", "", bool(self.primary()));
                    }
                    if (self.primary()) {
                        f.gauge("vip_postgres_timeline", "This node's PostgreSQL's timeline, when it is a primary.", "",
                                self.timeline());
                    }
                });
        return f.text();
    }

    private static double bool(boolean b) {
        return b ? 1 : 0;
    }

    /** {name="value",...}, values escaped as the format says (backslash, double quote, line feed). */
    static String labels(String... kv) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(kv[i]).append("=\"").append(kv[i + 1].replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", "\\n")).append('"');
        }
        return b.append('}').toString();
    }

    /** Samples grouped by family, families in the order first seen. */
    private static final class Families {
        private final Map<String, List<String>> lines = new LinkedHashMap<>();

        void gauge(String name, String help, String labels, double value) {
            add(name, help, "gauge", labels, value);
        }

        void counter(String name, String help, String labels, double value) {
            add(name, help, "counter", labels, value);
        }

        private void add(String name, String help, String type, String labels, double value) {
            List<String> family = lines.computeIfAbsent(name, n -> {
                List<String> l = new ArrayList<>();
                l.add("# HELP " + n + " " + help);
                l.add("# TYPE " + n + " " + type);
                return l;
            });
            family.add(name + labels + " " + number(value));
        }

        private static String number(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                    : java.math.BigDecimal.valueOf(v).toPlainString();
        }

        String text() {
            StringBuilder b = new StringBuilder();
            lines.values().forEach(l -> l.forEach(line -> b.append(line).append('\n')));
            return b.toString();
        }
    }
}
