package dev.vip.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogLinesTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final long T0 = 1_796_544_000_000L; // 2026-12-06T08:00:00Z

    @Test
    void prioritiesFromTheWording() {
        assertEquals(LogLines.ERR, LogLines.priority("ERROR: STALE PRIMARY: n2 is on timeline 3"));
        assertEquals(LogLines.WARNING, LogLines.priority("claim by socket failed: EPERM"));
        assertEquals(LogLines.WARNING, LogLines.priority("request refused: malformed"));
        assertEquals(LogLines.NOTICE, LogLines.priority("claim by repmgr standby_promote: added 192.0.2.2/32"));
        assertEquals(LogLines.INFO, LogLines.priority("ready: socket /run/vip/vip.sock"));
    }

    @Test
    void underSystemdEachLineCarriesItsPriority() {
        LogLines journal = new LogLines(60_000, true, UTC);
        assertEquals(List.of("<5>release by periodic check: deleted"), journal.accept("release by periodic check: deleted", 0));
    }

    @Test
    void elsewhereEachLineStartsWithTheLocalTimeToTheMillisecond() {
        assertEquals(List.of("2026-12-06T08:00:01.234+00:00 plain"), new LogLines(60_000, false, UTC).accept("plain", T0 + 1234));
        assertEquals(List.of("2026-12-06T17:00:00.007+09:00 plain"),
                new LogLines(60_000, false, ZoneId.of("Asia/Tokyo")).accept("plain", T0 + 7));
    }

    @Test
    void aRepeatedProblemIsPrintedOncePerWindowWithItsCount() {
        LogLines log = new LogLines(60_000, true, UTC);
        String problem = "cannot list the nodes (repmgr.nodes): connection refused";
        assertEquals(List.of("<4>" + problem), log.accept(problem, 0));
        for (int i = 1; i <= 29; i++) {
            assertEquals(List.of(), log.accept(problem, i * 2000L), "suppressed within the window");
        }
        assertEquals(List.of("<6>ready"), log.accept("ready", 30_000), "other lines pass");
        assertEquals(List.of("<4>" + problem + " (29 more times in 60 s)"), log.flush(60_000));
        assertEquals(List.of("<4>" + problem), log.accept(problem, 61_000), "a new window prints it again");
        assertEquals(List.of(), log.flush(200_000), "nothing came again: no count");
    }
}
