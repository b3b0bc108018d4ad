package dev.vip.core.daemon;

import dev.vip.core.AddressManager;
import dev.vip.core.Announcer;
import dev.vip.core.ConflictException;
import dev.vip.core.Json;
import dev.vip.core.Sighting;
import dev.vip.core.Watcher;
import dev.vip.netlink.AddressEvent;
import dev.vip.netlink.ErrnoException;
import dev.vip.netlink.KernelEvent;
import dev.vip.netlink.KernelEvents;
import dev.vip.netlink.LinkEvent;
import dev.vip.netlink.LinkMessage;
import dev.vip.netlink.MacAddress;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code vip daemon}: holds one VIP for this node, warm. Claims and releases come from the control socket
 * ({@link ControlServer}) and from repmgr's one-liner ({@link EventFifo}); a {@link Watcher} gives the VIP
 * up when another host announces it; kernel events repair the address when something removes it while
 * it is held, and re-announce it when the link comes back. Every change of state happens under this
 * object's lock; each thread has its own netlink socket.
 */
public final class VipDaemon {
    private final DaemonConfig config;
    private final Consumer<String> log;
    private final Instant started = Instant.now();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vip-announce");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch stopped = new CountDownLatch(1);

    private AddressManager addresses;
    private Announcer announcer;
    private MacAddress mac;
    private Watcher watcher;
    private ControlServer control;
    private EventFifo fifo;
    private volatile boolean stopping;
    private final List<Companion> companions = new CopyOnWriteArrayList<>();
    private final List<VipDaemon> followers = new CopyOnWriteArrayList<>();

    private record Companion(String prefix, Supplier<Json> status, Runnable afterEvent) {
    }

    // state, guarded by this
    private boolean held;
    private long generation;
    private ScheduledFuture<?> rounds;
    private String lastClaim;
    private String lastRelease;
    private String lostTo;
    private long lastFifoClaimNanos;
    private long claimedAtNanos;
    private boolean answeredCrossing;
    private long announcements;
    private long foreignClaims;
    private long crossingsAnswered;
    private long releases;
    private long repairs;
    private long errors;
    private long requests;
    private long refused;

    public VipDaemon(DaemonConfig config, Consumer<String> log) {
        this.config = config;
        this.log = log;
    }

    public DaemonConfig config() {
        return config;
    }

    /**
     * Opens everything, rebuilds the state from the kernel (the VIP present means held), and starts the
     * threads. Throws when something cannot be opened at all (privilege, socket in use).
     */
    public void start() throws IOException {
        addresses = AddressManager.open();
        AddressManager.Presence presence = addresses.find(config.vip());
        mac = macOf(presence.link());
        announcer = Announcer.open(config.vip().interfaceName(), mac);
        announcer.prepare(config.vip().prefix().address(), config.arpMode()); // the first claim pays no class loading
        RepmgrEvent.parse("1 standby_promote 1"); // nor the first event's parsing
        watcher = new Watcher(config.vip(), AddressManager.open(), new WatcherLog(), this::onForeignClaim);
        if (config.socket() != null) {
            control = new ControlServer(config.socket(), new Authorizer(config.allowedUids(), config.allowedGids()),
                    this, log);
            control.start();
        }
        if (config.eventsFifo() != null) {
            fifo = new EventFifo(config.eventsFifo(), config.eventsGid(), this, log);
            fifo.start();
        }
        thread("vip-watch", () -> {
            try {
                watcher.run();
            } catch (IOException e) {
                log.accept("watcher stopped: " + e.getMessage());
                synchronized (this) {
                    errors++;
                }
            }
        });
        thread("vip-kernel-events", this::followKernel);
        if (config.refresh() != null) {
            long every = config.refresh().toMillis();
            scheduler.scheduleAtFixedRate(this::refresh, every, every, TimeUnit.MILLISECONDS);
        }
        synchronized (this) {
            if (presence.address().isPresent()) {
                held = true;
                lastClaim = Instant.now() + " by " + Requester.START + " (the address was on " + presence.link().name()
                        + ")";
                log.accept("the VIP " + config.vip().prefix() + " is on " + config.vip().interfaceName()
                        + " at start: holding it");
                announceNow();
            } else {
                log.accept("the VIP " + config.vip().prefix() + " is not on " + config.vip().interfaceName()
                        + " at start: not holding it");
            }
        }
        if (control != null) {
            log.accept("ready: socket " + config.socket() + (fifo == null ? "" : ", events " + config.eventsFifo()));
        }
    }

    private static MacAddress macOf(LinkMessage link) throws IOException {
        if (link.mac() == null || link.mac().equals(MacAddress.ZERO)) {
            throw new IOException(link.name() + " is not an Ethernet interface");
        }
        return link.mac();
    }

    private void thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    /** Waits until {@link #stop} has run. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Stops every thread (the VIP stays as it is: a restart must not cause an outage). */
    public void stop() {
        stopping = true;
        try {
            if (watcher != null) {
                watcher.stop(Duration.ofMillis(500));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (control != null) {
            control.stop();
        }
        if (fifo != null) {
            fifo.stop();
        }
        scheduler.shutdownNow();
        if (announcer != null) {
            announcer.close();
        }
        log.accept("stopped");
        stopped.countDown();
    }

    /** Claim: add the VIP (idempotent) and announce it, first round at once. */
    public synchronized Json claim(Requester who) {
        long began = System.nanoTime();
        held = true;
        lostTo = null;
        claimedAtNanos = began;
        answeredCrossing = false;
        lastClaim = Instant.now() + " by " + who;
        try {
            AddressManager.Outcome outcome = addresses.add(config.vip(), config.addOptions());
            int sent = announceNow();
            followers.forEach(f -> f.claim(who));
            log.accept("claim by " + who + ": " + (outcome.changed() ? "added " : "already had ") + config.vip().prefix()
                    + ", announced (" + sent + " frames now) in " + (System.nanoTime() - began) / 1000 + " µs");
            return result("claim", true).put("changed", outcome.changed()).put("announced", sent);
        } catch (IOException | ConflictException e) {
            errors++;
            log.accept("claim by " + who + " failed: " + e.getMessage());
            return result("claim", false).put("error", e.getMessage());
        }
    }

    /** Release: stop announcing and delete the VIP (idempotent). */
    public synchronized Json release(Requester who) {
        held = false;
        cancelRounds();
        lastRelease = Instant.now() + " by " + who;
        try {
            boolean changed = addresses.release(config.vip()).changed();
            if (changed) {
                releases++;
            }
            followers.forEach(f -> f.release(who));
            log.accept("release by " + who + ": " + (changed ? "deleted " : "did not have ") + config.vip().prefix());
            return result("release", true).put("changed", changed);
        } catch (IOException e) {
            errors++;
            log.accept("release by " + who + " failed: " + e.getMessage());
            return result("release", false).put("error", e.getMessage());
        }
    }

    /**
     * Another VIP this daemon serves (a standby VIP, another primary VIP): its status joins this one's,
     * its fields prefixed with {@code prefix}; {@code afterEvent} (or null) runs after each repmgr event
     * from the FIFO.
     */
    public void companion(String prefix, Supplier<Json> status, Runnable afterEvent) {
        companions.add(new Companion(prefix, status, afterEvent));
    }

    /**
     * Another primary VIP, which this one's claims and releases carry along (from the socket, the FIFO
     * or start-up); it announces, watches and repairs on its own.
     */
    public void follower(VipDaemon other) {
        followers.add(other);
    }

    public synchronized boolean held() {
        return held;
    }

    /** A repmgr event from the FIFO, already parsed. */
    public void onRepmgrEvent(RepmgrEvent event) {
        handle(event);
        for (Companion c : companions) {
            if (c.afterEvent() != null) {
                c.afterEvent().run();
            }
        }
    }

    private synchronized void handle(RepmgrEvent event) {
        if (config.nodeId() != null && event.nodeId() != config.nodeId()) {
            log.accept("repmgr event " + event.event() + " for node " + event.nodeId() + " ignored: this is node "
                    + config.nodeId());
            return;
        }
        switch (event.decision()) {
            case CLAIM -> {
                // repmgr fires standby_promote and repmgrd_failover_promote for one promotion: act once
                if (held && System.nanoTime() - lastFifoClaimNanos < Duration.ofSeconds(30).toNanos()) {
                    log.accept("repmgr event " + event.event() + ": already claimed for this promotion");
                    return;
                }
                lastFifoClaimNanos = System.nanoTime();
                claim(Requester.fifo(event.event()));
            }
            case RELEASE -> release(Requester.fifo(event.event()));
            case IGNORE -> log.accept("repmgr event " + event.event() + " (success " + (event.success() ? 1 : 0)
                    + "): nothing to do");
        }
    }

    /**
     * Called on the watcher's thread when another host announces the VIP. Yields, except just after our own
     * claim: then the previous holder's last scheduled round may have left before our claim reached it (it
     * stops announcing as soon as it sees ours). Yielding to that frame would leave the VIP nowhere, as the
     * previous holder yields to us; so within the claim grace the first such frame is answered by announcing
     * again (clients that took the stale frame point back to us), the others are ignored, and a claim after
     * the grace is yielded to as usual.
     */
    private boolean onForeignClaim(Sighting claim) throws IOException {
        synchronized (this) {
            foreignClaims++;
            long since = System.nanoTime() - claimedAtNanos;
            if (held && since < config.claimGrace().toNanos()) {
                if (!answeredCrossing) {
                    answeredCrossing = true;
                    crossingsAnswered++;
                    int sent = announceRound(generation);
                    log.accept(config.vip().prefix().addressText() + " announced by " + claim.mac() + " "
                            + TimeUnit.NANOSECONDS.toMillis(since) + " ms after our claim, within the claim grace: "
                            + "taken as the previous holder's last round crossing ours; announced again (" + sent
                            + " frames), holding it");
                }
                return false;
            }
            if (held) {
                held = false;
                cancelRounds();
                lostTo = claim.mac().toString();
                lastRelease = Instant.now() + " by foreign claim from " + claim.mac();
            }
            boolean deleted = addresses.release(config.vip()).changed();
            if (deleted) {
                releases++;
            }
            return deleted;
        }
    }

    /** Address and link events: repair a held VIP that was removed, re-announce when the link returns. */
    private void followKernel() {
        boolean wasUp = true;
        while (!stopping) {
            try (KernelEvents events = KernelEvents.addressesAndLinks()) {
                repair("(re)subscribed to kernel events");
                while (!stopping) {
                    // a long wait: an idle daemon wakes for nothing; stop() does not wait for this thread
                    KernelEvent event = events.next(Duration.ofMinutes(10));
                    if (event instanceof AddressEvent a && a.kind() == AddressEvent.Kind.REMOVED
                            && config.vip().prefix().address().equals(a.address().primaryAddress())) {
                        repair("the address was removed");
                    } else if (event instanceof LinkEvent l && config.vip().interfaceName().equals(l.link().name())) {
                        boolean up = !l.removed() && l.link().has(LinkMessage.IFF_UP | LinkMessage.IFF_LOWER_UP);
                        if (up && !wasUp) {
                            linkUp();
                        }
                        wasUp = up;
                    }
                }
            } catch (ErrnoException e) {
                log.accept("kernel events: " + e.getMessage() + ": resubscribing");
            } catch (IOException e) {
                log.accept("kernel events: " + e.getMessage() + ": resubscribing");
                sleep(Duration.ofMillis(200));
            }
        }
    }

    private synchronized void repair(String why) {
        if (!held || stopping) {
            return;
        }
        try {
            AddressManager.Outcome outcome = addresses.add(config.vip(), config.addOptions());
            if (outcome.changed()) {
                repairs++;
                int sent = announceNow();
                log.accept(why + " while held: re-added " + config.vip().prefix() + " and announced it (" + sent
                        + " frames)");
            }
        } catch (IOException | ConflictException e) {
            errors++;
            log.accept("cannot repair " + config.vip().prefix() + ": " + e.getMessage());
        }
    }

    private synchronized void linkUp() {
        if (held) {
            log.accept(config.vip().interfaceName() + " is up again: announcing " + config.vip().prefix());
            repair("link up");
            announceNow();
        }
    }

    private synchronized void refresh() {
        if (held) {
            announceRound(generation);
        }
    }

    /** The first round now, the rest on the scheduler; returns the frames sent now. */
    private int announceNow() {
        cancelRounds();
        long gen = ++generation;
        int sent = announceRound(gen);
        if (config.count() > 1) {
            long interval = config.interval().toMillis();
            int[] left = {config.count() - 1};
            rounds = scheduler.scheduleAtFixedRate(() -> {
                synchronized (VipDaemon.this) {
                    if (left[0]-- <= 0 || gen != generation) {
                        throw new IllegalStateException("done"); // ends this repetition quietly
                    }
                    announceRound(gen);
                }
            }, interval, interval, TimeUnit.MILLISECONDS);
        }
        return sent;
    }

    private int announceRound(long gen) {
        if (!held || gen != generation) {
            return 0;
        }
        try {
            int sent = announcer.announceOnce(config.vip().prefix().address(), config.arpMode());
            announcements += sent;
            return sent;
        } catch (IOException e) {
            errors++;
            log.accept("cannot announce " + config.vip().prefix() + ": " + e.getMessage() + ": reopening");
            reopenAnnouncer();
            return 0;
        }
    }

    private void reopenAnnouncer() {
        try {
            announcer.close();
            mac = macOf(addresses.find(config.vip()).link());
            announcer = Announcer.open(config.vip().interfaceName(), mac);
        } catch (IOException e) {
            log.accept("cannot reopen " + config.vip().interfaceName() + ": " + e.getMessage());
        }
    }

    private void cancelRounds() {
        generation++;
        if (rounds != null) {
            rounds.cancel(false);
            rounds = null;
        }
    }

    /** Claim and release requests, counted by the control server. */
    synchronized void countRequest(boolean wasRefused) {
        requests++;
        if (wasRefused) {
            refused++;
        }
    }

    public Json status() {
        Json out = ownStatus();
        for (Companion c : companions) {
            c.status().get().fields().forEach((k, v) -> out.put(c.prefix() + k, v));
        }
        return out;
    }

    private synchronized Json ownStatus() {
        boolean present;
        try {
            present = addresses.find(config.vip()).address().isPresent();
        } catch (IOException e) {
            present = false;
        }
        return result("status", true).put("role", "primary").put("held", held).put("present", present)
                .put("mac", mac == null ? null : mac.toString())
                .put("last_claim", lastClaim).put("last_release", lastRelease).put("lost_to", lostTo)
                .put("announcements_sent", announcements).put("foreign_claims_seen", foreignClaims)
                .put("crossings_answered", crossingsAnswered)
                .put("releases", releases).put("repairs", repairs).put("errors", errors)
                .put("requests", requests).put("refused", refused)
                .put("uptime_s", Duration.between(started, Instant.now()).toSeconds())
                .put("pid", ProcessHandle.current().pid());
    }

    private Json result(String action, boolean ok) {
        return new Json().put("ok", ok).put("action", action).put("interface", config.vip().interfaceName())
                .put("address", config.vip().prefix().toString());
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class WatcherLog implements Watcher.Listener {
        @Override
        public void watching(String interfaceName, Set<MacAddress> ownMacs) {
            log.accept("watching " + interfaceName + " for other hosts announcing " + config.vip().prefix());
        }

        @Override
        public void claimed(Sighting claim, boolean deleted) {
            if (deleted) {
                log.accept(config.vip().prefix().addressText() + " claimed by " + claim.mac() + " ("
                        + claim.kind().text + "): deleted it from " + config.vip().interfaceName());
            }
        }

        @Override
        public void reopening(String reason, Duration delay) {
            log.accept(reason + ": reopening " + config.vip().interfaceName() + " in " + delay.toMillis() + " ms");
        }

        @Override
        public void failed(String what, IOException error) {
            synchronized (VipDaemon.this) {
                errors++;
            }
            log.accept("cannot " + what + ": " + error.getMessage());
        }
    }
}
