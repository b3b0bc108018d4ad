package dev.vip.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private static VipDaemon.MetricsSample sample(String vip, boolean held, Truth.Node self) {
        return new VipDaemon.MetricsSample(vip, "eth0", held, held, Map.of("socket", 2L, "repmgr", 1L),
                Map.of("check", 1L), 3, 14, 1, 2, 0, 40, false, true, Instant.ofEpochMilli(1_796_400_000_500L), self);
    }

    @Test
    void eachFamilyHasItsHelpAndTypeOnceAndItsSamplesTogether() {
        String text = Metrics.render(List.of(
                new Metrics.Labelled("primary", sample("198.51.100.10/32", true, Truth.Node.primary(1, "n1", 3))),
                new Metrics.Labelled("standby", sample("198.51.100.20/32", false, null))));
        List<String> lines = text.lines().toList();
        assertEquals(1, lines.stream().filter(l -> l.equals("# TYPE vip_held gauge")).count(), text);
        int type = lines.indexOf("# TYPE vip_held gauge");
        assertEquals("vip_held{vip=\"198.51.100.10/32\",interface=\"eth0\",role=\"primary\"} 1", lines.get(type + 1));
        assertEquals("vip_held{vip=\"198.51.100.20/32\",interface=\"eth0\",role=\"standby\"} 0", lines.get(type + 2));
        assertTrue(lines.contains("# TYPE vip_claims_total counter"), text);
        assertTrue(lines.contains("vip_claims_total{vip=\"198.51.100.10/32\",source=\"repmgr\"} 1"), text);
        assertTrue(lines.contains("vip_last_transition_timestamp_seconds{vip=\"198.51.100.10/32\"} 1796400000.5"), text);
        assertTrue(lines.contains("vip_postgres_primary 1"), text);
        assertTrue(lines.contains("vip_postgres_timeline 3"), text);
        assertTrue(lines.contains("vip_paused{vip=\"198.51.100.20/32\"} 1"), text);
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void aStandbyHasNoTimelineAndAnUnreachableServerIsDown() {
        String standby = Metrics.render(List.of(new Metrics.Labelled("primary",
                sample("198.51.100.10/32", false, Truth.Node.standby(2, "n2")))));
        assertTrue(standby.contains("vip_postgres_primary 0\n"), standby);
        assertFalse(standby.contains("vip_postgres_timeline"), standby);
        String down = Metrics.render(List.of(new Metrics.Labelled("primary",
                sample("198.51.100.10/32", false, Truth.Node.unreachable(2, "n2", "refused")))));
        assertTrue(down.contains("vip_postgres_up 0\n"), down);
        assertFalse(down.contains("vip_postgres_primary"), down);
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("{a=\"x\\\\y\\\"z\\n\"}", Metrics.labels("a", "x\\y\"z\n"));
    }

    @Test
    void sourcesBecomeShortLabels() {
        assertEquals("repmgr", VipDaemon.sourceLabel(Requester.fifo("standby_promote")));
        assertEquals("check", VipDaemon.sourceLabel(Requester.CHECK));
        assertEquals("start", VipDaemon.sourceLabel(Requester.START));
        assertEquals("kernel", VipDaemon.sourceLabel(Requester.kernel("link up")));
        assertEquals("announcement", VipDaemon.sourceLabel(Requester.announcement("02:00:00:00:00:01")));
        assertEquals("health_check", VipDaemon.sourceLabel(Requester.healthCheck("n2 streams")));
        assertEquals("socket", VipDaemon.sourceLabel(new Requester("socket", 0, 1)));
    }
}
