package dev.vip.core.daemon;

import dev.vip.core.AddOptions;
import dev.vip.core.ArpMode;
import dev.vip.core.Vip;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What one daemon manages and how.
 *
 * @param refresh     periodic re-announcement while the VIP is held; null for none
 * @param eventsFifo  the FIFO for repmgr's one-liner; null for none
 * @param eventsGid   the group that may write the FIFO (e.g. postgres); null to keep the daemon's own
 * @param nodeId      this node's repmgr id: FIFO events for other ids are ignored; null to accept any
 * @param claimGrace  without PostgreSQL's truth: how long after a claim a foreign announcement is answered
 * @param checkInterval with PostgreSQL's truth: how often the daemon looks whether the VIP is where it
 *                    should be
 * @param doubtAfter   with PostgreSQL's truth: how long a standby's repmgrd may go without seeing this
 *                    primary (or this node without an answer from any other) before the primary lets go of
 *                    the VIP, a promotion elsewhere being feared
 * @param staleCommand a shell command run when this node learns that its PostgreSQL is a stale primary;
 *                    null for none
 */
public record DaemonConfig(Vip vip, AddOptions addOptions, ArpMode arpMode, int count, Duration interval,
                           Duration refresh, Path socket, Path eventsFifo, Integer eventsGid,
                           Set<Integer> allowedUids, Set<Integer> allowedGids, Integer nodeId,
                           Duration claimGrace, Duration checkInterval, String staleCommand, Duration doubtAfter) {
    /** Each part, by the setting (vip.conf's name, the option's without "--") that makes it. */
    private static final List<Setting> SETTINGS = List.of(
            new Setting("interface/address/label", DaemonConfig::vip),
            new Setting("nodad/noprefixroute/preferred-lft", DaemonConfig::addOptions),
            new Setting("arp-mode", DaemonConfig::arpMode),
            new Setting("count", DaemonConfig::count),
            new Setting("interval", DaemonConfig::interval),
            new Setting("refresh", DaemonConfig::refresh),
            new Setting("socket", DaemonConfig::socket),
            new Setting("events-fifo", DaemonConfig::eventsFifo),
            new Setting("events-group", DaemonConfig::eventsGid),
            new Setting("allow-user", DaemonConfig::allowedUids),
            new Setting("allow-group", DaemonConfig::allowedGids),
            new Setting("node-id", DaemonConfig::nodeId),
            new Setting("claim-grace", DaemonConfig::claimGrace),
            new Setting("health-interval", DaemonConfig::checkInterval),
            new Setting("stale-primary-command", DaemonConfig::staleCommand),
            new Setting("doubt-after", DaemonConfig::doubtAfter));

    private record Setting(String name, Function<DaemonConfig, Object> part) {
    }

    /** The settings whose parts differ between this and {@code other}, in a fixed order (a reload's report). */
    public List<String> changedSettings(DaemonConfig other) {
        List<String> out = new ArrayList<>();
        for (Setting s : SETTINGS) {
            if (!Objects.equals(s.part().apply(this), s.part().apply(other))) {
                out.add(s.name());
            }
        }
        return out;
    }
}
