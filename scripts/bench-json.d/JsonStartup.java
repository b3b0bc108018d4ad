import com.fasterxml.jackson.jr.ob.JSON;
import dev.vip.core.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one CLI command does with JSON, in a fresh JVM: a daemon's status reply read, a command's --json
 * line written. Mode "json" with vip's own Json, "jackson" with jackson-jr, "none" neither (the floor).
 */
public final class JsonStartup {
    static final String REPLY = "{\"ok\":true,\"action\":\"status\",\"interface\":\"eth0\",\"address\":\"198.51.100.10/32\","
            + "\"held\":true,\"paused\":false,\"mac\":\"02:00:00:00:00:01\",\"uptime_s\":3605,\"claims\":12,"
            + "\"releases\":11,\"last_claim\":\"2026-12-05T20:00:00Z by repmgr standby_promote\",\"role\":\"primary\","
            + "\"timeline\":7,\"error\":\"none \\\"quoted\\\" \\u00e9\"}";

    public static void main(String[] args) throws Exception {
        String out;
        switch (args[0]) {
            case "json" -> {
                Json reply = Json.parse(REPLY);
                out = new Json().put("action", "status").put("held", reply.flag("held"))
                        .put("timeline", reply.get("timeline")).put("error", reply.string("error"))
                        .put("nodes", List.of(new Json().put("id", 1).put("role", "primary"))).toString();
            }
            case "jackson" -> {
                Map<String, Object> reply = JSON.std.mapFrom(REPLY);
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("action", "status");
                o.put("held", Boolean.TRUE.equals(reply.get("held")));
                o.put("timeline", reply.get("timeline"));
                o.put("error", String.valueOf(reply.get("error")));
                o.put("nodes", List.of(Map.of("id", 1, "role", "primary")));
                out = JSON.std.asString(o);
            }
            default -> out = "{}";
        }
        System.out.println(out);
    }
}
