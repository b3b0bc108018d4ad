package dev.vip.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The two capabilities vip needs, and which of them this process lacks (from /proc/self/status). */
public enum Capability {
    CAP_NET_ADMIN(12),
    CAP_NET_RAW(13);

    private final int bit;

    Capability(int bit) {
        this.bit = bit;
    }

    /** Those of {@code needed} not in the effective set; all of them when the set cannot be read. */
    public static List<Capability> missing(List<Capability> needed) {
        long effective = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    effective = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return needed;
        }
        List<Capability> out = new ArrayList<>();
        for (Capability c : needed) {
            if ((effective & (1L << c.bit)) == 0) {
                out.add(c);
            }
        }
        return out;
    }
}
