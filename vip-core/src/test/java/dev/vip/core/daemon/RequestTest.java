package dev.vip.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vip.core.Vip;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The control socket's requests: what the client writes is what the daemon reads. */
class RequestTest {
    private static final Vip VIP = Vip.of("eth0", "198.51.100.10/32", "eth0:0");

    @Test
    void everyRequestReadsBackAsItself() {
        for (Request r : List.of(new Request.Claim(VIP), new Request.Release(VIP, false), new Request.Release(VIP, true),
                new Request.Pause(true), new Request.Pause(false), new Request.Status())) {
            assertEquals(r, Request.parse(r.line()), r.line());
        }
    }

    @Test
    void theLinesAreTheDocumentedOnes() {
        assertEquals("claim eth0 198.51.100.10/32", new Request.Claim(VIP).line());
        assertEquals("release eth0 198.51.100.10/32 force", new Request.Release(VIP, true).line());
        assertEquals("resume", new Request.Pause(false).line());
        assertEquals(new Request.Status(), Request.parse("  status\t"));
    }

    @Test
    void aChangeConcernsOnlyItsVip() {
        assertTrue(new Request.Claim(VIP).concerns(VIP));
        assertFalse(new Request.Claim("eth0", "198.51.100.11/32").concerns(VIP));
        assertFalse(new Request.Release("eth1", "198.51.100.10/32", false).concerns(VIP));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "claim", "claim eth0", "claim eth0 198.51.100.10/32 now", "release eth0 x please",
        "status now", "pause 1", "CLAIM eth0 198.51.100.10/32", "drop table", "claim  eth0 198.51.100.10/32"})
    void anythingElseIsMalformedAndSaysWhatIsExpected(String line) {
        Request.Malformed e = assertThrows(Request.Malformed.class, () -> Request.parse(line));
        assertTrue(e.getMessage().endsWith(": " + Request.GRAMMAR), e.getMessage());
    }

    @Test
    void aMalformedLineIsQuotedPrintably() {
        Request.Malformed e = assertThrows(Request.Malformed.class, () -> Request.parse("evil '\u001b[2J"));
        assertEquals("unknown request 'evil ??[2J': " + Request.GRAMMAR, e.getMessage());
    }
}
