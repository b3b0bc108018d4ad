package dev.vip.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vip.core.Json;
import org.junit.jupiter.api.Test;

/** What the daemon writes is what the client reads, through the wire's text. */
class ReplyTest {
    private static Reply wire(Json j) {
        return Reply.of(Json.parse(j.toString()));
    }

    @Test
    void aClaimDone() {
        Json j = new Json().put(Reply.OK, true).put("action", "claim").put(Reply.CHANGED, true).put(Reply.ANNOUNCED, 3);
        assertEquals(new Reply(true, true, 3, null, false, false, false, false), wire(j));
    }

    @Test
    void theNosEachSayWhy() {
        assertEquals(new Reply(false, false, null, "uid 1001 may not", true, false, false, false),
                wire(Reply.refused("uid 1001 may not")));
        assertEquals(new Reply(false, false, null, "manages another", false, false, true, false),
                wire(Reply.unmanaged("manages another")));
        assertEquals(new Reply(false, false, null, "refused: a standby", false, true, false, false),
                wire(Reply.error("refused: a standby").put(Reply.FENCED, true)));
    }

    @Test
    void aPausedDaemonSaysSo() {
        assertEquals(new Reply(true, false, null, null, false, false, false, true),
                wire(new Json().put(Reply.OK, true).put(Reply.CHANGED, false).put(Reply.PAUSED, true)));
    }
}
