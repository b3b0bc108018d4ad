package dev.vip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void flatObjectsRoundTrip() {
        Json j = new Json().put("ok", true).put("n", 3).put("s", "a \"q\"\n").put("gone", null);
        assertEquals("{\"ok\":true,\"n\":3,\"s\":\"a \\\"q\\\"\\n\"}", j.toString());
        assertEquals(j.toString(), Json.parse(j.toString()).toString());
    }

    @Test
    void nestedObjectsAndListsAreWritten() {
        Json j = new Json().put("nodes", List.of(new Json().put("id", 1), new Json().put("id", 2)))
                .put("problems", List.of()).put("holders", Arrays.asList("db1", null));
        assertEquals("{\"nodes\":[{\"id\":1},{\"id\":2}],\"problems\":[],\"holders\":[\"db1\",null]}", j.toString());
    }
}
