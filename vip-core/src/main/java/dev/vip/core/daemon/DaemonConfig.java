package dev.vip.core.daemon;

import dev.vip.core.AddOptions;
import dev.vip.core.ArpMode;
import dev.vip.core.Vip;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

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
}
