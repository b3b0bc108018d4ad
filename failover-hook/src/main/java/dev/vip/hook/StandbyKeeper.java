package dev.vip.hook;

import dev.vip.core.Json;
import dev.vip.core.daemon.Requester;
import dev.vip.core.daemon.VipDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The standby VIP's health check, in the daemon: every {@code interval} (and at once after each repmgr
 * event) it reads the {@link ClusterView} (what every node sees the same: repmgr's metadata and the
 * primary's pg_stat_replication) and who answers for the standby VIP now (this node when it holds it,
 * else the last host seen announcing it, matched to a standby by its address), asks {@link Placement}
 * where the standby VIP goes, and claims
 * or releases it on this node through the standby VIP's own {@link VipDaemon} (which announces it and
 * watches for others, as for the primary VIP). A node whose PostgreSQL does not answer lets it go; a
 * view that cannot be read whole changes nothing (during a failover the primary is briefly nowhere).
 */
public final class StandbyKeeper {
    /** After yielding the standby VIP to another node, this many checks pass before claiming it back. */
    private static final int BACK_OFF_CHECKS = 3;
    private static final Path ARP_TABLE = Path.of("/proc/net/arp");

    private final VipDaemon standby;
    private final BooleanSupplier holdsPrimaryVip;
    private final int self;
    private final ClusterView.Reader reader;
    private final Duration interval;
    private final Duration maxLag;
    private final Consumer<String> log;
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vip-standby-health");
        t.setDaemon(true);
        return t;
    });

    // state, on the checks thread only; read by status() under this
    private String where = "not decided yet";
    private String why = "no check yet";
    private Instant lastCheck;
    private long checkCount;
    private volatile long lastReadMicros;

    public StandbyKeeper(VipDaemon standby, BooleanSupplier holdsPrimaryVip, int self, Conninfo local,
                         Duration interval, Duration maxLag, Consumer<String> log) {
        this.standby = standby;
        this.holdsPrimaryVip = holdsPrimaryVip;
        this.self = self;
        this.reader = new ClusterView.Reader(local, interval.compareTo(Duration.ofSeconds(1)) < 0 ? interval
                : Duration.ofSeconds(1));
        this.interval = interval;
        this.maxLag = maxLag;
        this.log = log;
    }

    public void start() {
        // at a fixed rate, not after a fixed delay: a change is acted on within one interval of it, however
        // long the checks themselves take
        checks.scheduleAtFixedRate(this::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A check now (after a repmgr event), on the same thread as the periodic ones. */
    public void checkSoon() {
        checks.execute(this::check);
    }

    public void stop() {
        checks.shutdownNow();
        try {
            checks.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reader.close();
    }

    private void check() {
        try {
            long began = System.nanoTime();
            ClusterView view = reader.read();
            lastReadMicros = (System.nanoTime() - began) / 1000;
            boolean held = standby.held();
            String placeWas = where;
            if (!view.localUp()) {
                record("not here", view.problem());
                if (held) {
                    standby.release(Requester.healthCheck("the local PostgreSQL does not answer"));
                }
            } else if (!view.complete()) {
                record(where, view.problem() + ": no change");
            } else {
                // who answers for it now, from the kernel and the wire, not from what this node decided
                // before (a restarted daemon would have forgotten that, and two could disagree)
                Integer answering = held ? Integer.valueOf(self) : lastAnnouncer(view).orElse(null);
                Placement.Decision d = Placement.decide(view.standbys(), maxLag, answering);
                boolean primaryHere = holdsPrimaryVip.getAsBoolean();
                boolean want = d.holds(self, primaryHere);
                record(d.holder().map(h -> "node " + h).orElse("the primary"), d.reason());
                if (want && !held && standby.yieldedWithin(interval.multipliedBy(BACK_OFF_CHECKS))
                        && answering != null && answering != self) {
                    // we gave it up to node `answering` moments ago: let it keep it a few checks, so that two
                    // nodes with different views never trade it back and forth
                    record(where, d.reason() + "; backing off: yielded it to node " + answering + " recently");
                } else if (want && !held) {
                    standby.claim(Requester.healthCheck(d.reason()));
                } else if (!want && held) {
                    standby.release(Requester.healthCheck(d.reason()));
                }
            }
            if (!where.equals(placeWas)) {
                log.accept("standby VIP: " + where + ": " + why + " (view read in " + lastReadMicros / 1000 + " ms)");
            }
        } catch (RuntimeException e) {
            record(where, "check failed: " + e);
            log.accept("standby VIP: check failed: " + e);
        }
    }

    /**
     * The node whose host last announced the standby VIP (seen by this node's watcher), matched through
     * the neighbour table (/proc/net/arp, this network namespace's) to the addresses the primary sees its
     * standbys stream from; empty when not known.
     */
    private Optional<Integer> lastAnnouncer(ClusterView view) {
        Optional<String> mac = standby.lastForeignAnnouncer().map(Object::toString);
        if (mac.isEmpty() || view.hosts().isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> neighbours = neighbours();
        for (Map.Entry<Integer, String> host : view.hosts().entrySet()) {
            if (mac.get().equalsIgnoreCase(neighbours.get(host.getValue()))) {
                return Optional.of(host.getKey());
            }
        }
        return Optional.empty();
    }

    /** IPv4 address to link-layer address, from /proc/net/arp (complete entries only). */
    static Map<String, String> neighbours() {
        Map<String, String> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(ARP_TABLE)) {
                String[] f = line.trim().split("\\s+");
                // IP address, HW type, Flags, HW address, Mask, Device; flag 0x2 = complete
                if (f.length >= 4 && f[0].indexOf('.') > 0 && !f[2].equals("0x0")) {
                    out.put(f[0], f[3]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no table: the holder is not known, and the placement falls back to the lowest node id
        }
        return out;
    }

    private synchronized void record(String place, String reason) {
        where = place;
        why = reason;
        lastCheck = Instant.now();
        checkCount++;
    }

    /** The standby VIP's own status, and where the health check puts it and why. */
    public Json status() {
        Json own = standby.status();
        synchronized (this) {
            return own.put("role", "standby").put("placed_on", where).put("reason", why)
                    .put("last_check", Optional.ofNullable(lastCheck).map(Instant::toString).orElse(null))
                    .put("checks", checkCount).put("last_check_read_us", lastReadMicros)
                    .put("health_interval_ms", interval.toMillis())
                    .put("max_lag_ms", maxLag == null ? null : maxLag.toMillis());
        }
    }
}
