package dev.vip.core.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Who may claim and release: root, the configured users, and members of the configured groups (the
 * peer's primary group from SO_PEERCRED, its supplementary groups from /proc/PID/status).
 */
public final class Authorizer {
    private final Set<Integer> uids;
    private final Set<Integer> gids;

    public Authorizer(Set<Integer> uids, Set<Integer> gids) {
        this.uids = Set.copyOf(uids);
        this.gids = Set.copyOf(gids);
    }

    public boolean mayChange(int uid, int gid, int pid) {
        if (uid == 0 || uids.contains(uid) || gids.contains(gid)) {
            return true;
        }
        if (gids.isEmpty()) {
            return false;
        }
        for (int g : supplementaryGroups(pid)) {
            if (gids.contains(g)) {
                return true;
            }
        }
        return false;
    }

    static Set<Integer> supplementaryGroups(int pid) {
        Set<Integer> out = new HashSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("Groups:")) {
                    for (String g : line.substring(7).trim().split("\\s+")) {
                        if (!g.isEmpty()) {
                            out.add(Integer.parseInt(g));
                        }
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the peer is gone, or its /proc entry is hidden: only its primary group counts
        }
        return out;
    }
}
