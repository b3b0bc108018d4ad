package dev.vip.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LogLinesTest {
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
        LogLines journal = new LogLines(60_000, true);
        assertEquals(List.of("<5>release by periodic check: deleted"), journal.accept("release by periodic check: deleted", 0));
        assertEquals(List.of("plain"), new LogLines(60_000, false).accept("plain", 0));
    }

    @Test
    void aRepeatedProblemIsPrintedOncePerWindowWithItsCount() {
        LogLines log = new LogLines(60_000, false);
        String problem = "cannot list the nodes (repmgr.nodes): connection refused";
        assertEquals(List.of(problem), log.accept(problem, 0));
        for (int i = 1; i <= 29; i++) {
            assertEquals(List.of(), log.accept(problem, i * 2000L), "suppressed within the window");
        }
        assertEquals(List.of("ready"), log.accept("ready", 30_000), "other lines pass");
        assertEquals(List.of(problem + " (29 more times in 60 s)"), log.flush(60_000));
        assertEquals(List.of(problem), log.accept(problem, 61_000), "a new window prints it again");
        assertEquals(List.of(), log.flush(200_000), "nothing came again: no count");
    }
}
