package dev.vip.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vip.core.AddOptions;
import dev.vip.core.ArpMode;
import dev.vip.core.Vip;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A reload names what changed: each part of the settings by the setting that makes it, none forgotten. */
class DaemonConfigTest {
    private static final Object[] BASE = {Vip.of("eth0", "198.51.100.10/32", "eth0:0"), AddOptions.DEFAULT,
        ArpMode.BOTH, 3, Duration.ofSeconds(1), null, Path.of("/run/vip/vip.sock"), Path.of("/run/vip/events"), 110,
        Set.of(0), Set.of(), 1, Duration.ofMillis(500), Duration.ofSeconds(1), null, Duration.ofSeconds(3)};

    /** Another value of the same type: what a reload could bring for that part. */
    private static Object another(Object v, Class<?> type) {
        if (type == Vip.class) {
            return Vip.of("eth0", "198.51.100.11/32", "eth0:0");
        } else if (type == AddOptions.class) {
            return new AddOptions(true, false, null);
        } else if (type == ArpMode.class) {
            return ArpMode.REPLY;
        } else if (type == int.class || type == Integer.class) {
            return v == null ? 7 : (Integer) v + 1;
        } else if (type == Duration.class) {
            return v == null ? Duration.ofSeconds(30) : ((Duration) v).plusMillis(1);
        } else if (type == Path.class) {
            return Path.of("/elsewhere");
        } else if (type == Set.class) {
            return Set.of(4242);
        } else if (type == String.class) {
            return "pg_ctl stop";
        }
        throw new AssertionError("a new part of DaemonConfig: teach this test (and changedSettings) its type " + type);
    }

    private static DaemonConfig make(Object[] parts) throws ReflectiveOperationException {
        Class<?>[] types = Arrays.stream(DaemonConfig.class.getRecordComponents()).map(RecordComponent::getType)
                .toArray(Class<?>[]::new);
        Constructor<DaemonConfig> c = DaemonConfig.class.getDeclaredConstructor(types);
        return c.newInstance(parts);
    }

    @Test
    void eachPartIsNamedBySettingAndNoneIsForgotten() throws Exception {
        DaemonConfig base = make(BASE);
        RecordComponent[] components = DaemonConfig.class.getRecordComponents();
        assertEquals(components.length, BASE.length);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < components.length; i++) {
            Object[] parts = BASE.clone();
            parts[i] = another(BASE[i], components[i].getType());
            List<String> changed = make(parts).changedSettings(base);
            assertEquals(1, changed.size(), components[i].getName() + ": " + changed);
            assertEquals(changed, base.changedSettings(make(parts)));
            names.add(changed.get(0));
        }
        assertEquals(components.length, new HashSet<>(names).size(), "two parts share a name: " + names);
        assertEquals(List.of("interface/address/label", "nodad/noprefixroute/preferred-lft", "arp-mode", "count",
                "interval", "refresh", "socket", "events-fifo", "events-group", "allow-user", "allow-group", "node-id",
                "claim-grace", "health-interval", "stale-primary-command", "doubt-after"), names);
        assertEquals(List.of(), base.changedSettings(make(BASE.clone())));
    }
}
