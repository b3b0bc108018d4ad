package dev.vip.core.daemon;

import dev.vip.core.AddressManager;
import dev.vip.core.Claims;
import dev.vip.core.ConflictException;
import dev.vip.core.Json;
import dev.vip.core.Prober;
import dev.vip.core.Sighting;
import dev.vip.core.Vip;
import dev.vip.core.Watcher;
import dev.vip.netlink.KernelEvents;
import dev.vip.netlink.MacAddress;
import dev.vip.core.daemon.Arbiter.Action;
import dev.vip.core.daemon.Arbiter.Standing;
import dev.vip.core.daemon.Arbiter.Trigger;
import dev.vip.core.daemon.Arbiter.Verdict;
import java.io.IOException;
import java.util.Optional;
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
 * {@code vip daemon}: holds one VIP for this node, warm.
 *
 * <p>With PostgreSQL's truth (a {@link TruthSource}, the daemon's {@code --conninfo}) it is a
 * level-triggered reconciler: every {@code checkInterval} (a quarter of it while it holds the VIP and some
 * peer is out of reach: the stale side of a partition, whose heal brings no event; and while the primary is
 * in doubt, see {@link Arbiter}), and at once on each link-down and on each
 * claim or release request
 * ({@link ControlServer}, repmgr's one-liner through {@link EventFifo}), each announcement of the VIP by
 * another host ({@link Watcher}), each removal of the address and each link-up (kernel events) and at
 * start-up, it asks PostgreSQL, lets the {@link Arbiter} decide, and does what it decided: hold, defend,
 * release, wait, or refuse the request. Nothing adds or announces the VIP without that decision.
 *
 * <p>Without it (plain layer 2, the seed's behaviour) claims and releases are done as asked, another
 * host's announcement is yielded to (after the claim grace), and every re-announcement (start-up, link
 * up, repair, refresh) is preceded by an ARP probe / DAD solicitation: when another host answers for the
 * VIP this daemon yields instead of announcing.
 *
 * <p>Every change of state happens under this object's lock (PostgreSQL is asked before taking it);
 * each thread has its own netlink socket.
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
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vip-reconcile");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final TruthSource truth;

    private Claims claims;
    private AddressManager addresses;
    private Watcher watcher;
    private ControlServer control;
    private EventFifo fifo;
    private volatile boolean stopping;
    /** the interface has its link (up, carrier): the kernel's word, kept from its link events */
    private volatile boolean linkUp = true;
    private Thread watchThread;
    private Thread kernelThread;
    private final List<Companion> companions = new CopyOnWriteArrayList<>();
    private final List<VipDaemon> followers = new CopyOnWriteArrayList<>();
    /**
     * What a claim or release just done carries to the followers (guarded by this): set and taken in one
     * hold of the monitor, and run after it is let go. A follower asks PostgreSQL before it acts, which
     * takes up to a timeout when the server hangs: under this VIP's monitor that kept its status and its
     * next decision waiting (4 s in the e2e's scenario 8).
     */
    private Runnable carry;

    private static final Set<String> SHARED_STATUS = Set.of("ok", "action", "interface", "pid", "uptime_s", "truth",
            "requests", "refused");

    /** How long plain mode listens for an answer to its probe before a re-announcement. */
    private static final Duration PROBE_TIME = Duration.ofMillis(200);

    private record Companion(String prefix, Supplier<Json> status, Runnable afterEvent) {
    }

    // state, guarded by this
    private boolean held;
    private long generation;
    private ScheduledFuture<?> rounds;
    private ScheduledFuture<?> sooner; // the next look while cut off (lookSoonerWhileCutOff)
    private String lastClaim;
    private String lastRelease;
    private volatile String lastReload;
    private String lostTo;
    /** nanoTime since when the decisions have been DOUBTED (0: they are not) */
    private long doubtSince;
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
    private long fenceRefusals;
    private long defends;
    private long lastDefendNanos;
    private long checksDone;
    private boolean suspended;
    private boolean stale;
    private Verdict lastVerdict;
    private Truth lastTruth;
    /** The operator's maintenance pause, shared by every VIP of this process (see {@link #pause}). */
    private volatile java.util.concurrent.atomic.AtomicReference<String> paused = new java.util.concurrent.atomic.AtomicReference<>();
    private long probes;
    private final java.util.Map<String, Long> claimsBySource = new java.util.TreeMap<>();
    private final java.util.Map<String, Long> releasesBySource = new java.util.TreeMap<>();
    private Instant lastTransition = Instant.now();
    private MacAddress lastForeignMac;
    private long lastYieldNanos;

    /** A daemon in plain layer-2 mode: no PostgreSQL's truth. */
    public VipDaemon(DaemonConfig config, Consumer<String> log) {
        this(config, log, null);
    }

    /** @param truth where PostgreSQL's truth comes from; null for plain layer-2 mode */
    public VipDaemon(DaemonConfig config, Consumer<String> log, TruthSource truth) {
        this.config = config;
        this.log = log;
        this.truth = truth;
    }

    public DaemonConfig config() {
        return config;
    }

    /**
     * Opens everything, rebuilds the state from the kernel (the VIP present means held), and starts the
     * threads. Throws when something cannot be opened at all (privilege, socket in use).
     */
    public void start() throws IOException {
        claims = Claims.open(config.vip(), config.addOptions(), config.arpMode(), true);
        addresses = claims.addresses();
        AddressManager.Presence presence = claims.atOpen();
        linkUp = presence.link().up();
        claims.prepare(); // the first claim pays no class loading
        RepmgrEvent.parse("1 standby_promote 1"); // nor the first event's parsing
        watcher = new Watcher(config.vip(), AddressManager.open(), new WatcherLog(), this::onForeignClaim);
        if (config.socket() != null) {
            Authorizer authorizer = new Authorizer(config.allowedUids(), config.allowedGids(),
                    Authorizer.systemAccounts());
            control = new ControlServer(config.socket(), new Answers(authorizer, new Answered(), log,
                    System::currentTimeMillis), log);
            control.start();
        }
        if (config.eventsFifo() != null) {
            fifo = new EventFifo(config.eventsFifo(), config.eventsGid(), this, log);
            fifo.start();
        }
        watchThread = thread("vip-watch", () -> {
            try {
                watcher.run(); // returns only when stopped; reopens by itself after errors
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // EPERM: it cannot ever watch
            }
        });
        kernelThread = thread("vip-kernel-events",
                new KernelFollower(config.vip(), KernelEvents::addressesAndLinks, new Kernel()));
        if (config.refresh() != null) {
            long every = config.refresh().toMillis();
            scheduler.scheduleAtFixedRate(guarded("refresh", this::refresh), every, every, TimeUnit.MILLISECONDS);
        }
        if (truth != null) {
            log.accept("deciding from PostgreSQL's truth: this node's server and repmgr's nodes, checked every "
                    + config.checkInterval().toMillis() + " ms and on every event");
            reconcile(Trigger.START, Requester.START, true); // before the first frame leaves
            long every = config.checkInterval().toMillis();
            checks.scheduleAtFixedRate(guarded("check", this::tick), every, every, TimeUnit.MILLISECONDS);
        } else {
            boolean present = presence.address().isPresent();
            log.accept("the VIP " + config.vip().prefix() + (present ? " is" : " is not") + " on "
                    + config.vip().interfaceName() + " at start: " + (present ? "holding it" : "not holding it")
                    + " (plain layer 2: no --conninfo, so PostgreSQL is not asked; another host's announcement is "
                    + "yielded to, and an ARP probe comes before every re-announcement)");
            if (present) {
                synchronized (this) {
                    setHeld(true);
                    lastClaim = Instant.now() + " by " + Requester.START + " (the address was on "
                            + presence.link().name() + ")";
                }
                reannounceAfterProbe("start-up");
            }
        }
        if (control != null) {
            log.accept("ready: socket " + config.socket() + (fifo == null ? "" : ", events " + config.eventsFifo()));
        }
    }

    /**
     * A thread the daemon cannot do without: should it end or die while the daemon is not stopping, the
     * daemon exits (see {@link #fatal}) rather than go on half-dead.
     */
    private Thread thread(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
                if (!stopping) {
                    fatal(name + " ended");
                }
            } catch (Throwable e) {
                if (!stopping) {
                    fatal(name + " died: " + e);
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * A periodic task: a runtime error is logged and counted and the next run comes as planned; an
     * Error (out of memory, a linkage error) ends the daemon, where a scheduler would swallow it silently.
     */
    private Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RoundsDone e) {
                throw e;
            } catch (RuntimeException e) {
                synchronized (this) {
                    errors++;
                }
                log.accept(what + " failed: " + e);
            } catch (Error e) {
                fatal(what + " died: " + e);
                throw e;
            }
        };
    }

    /** Ends a repetition of announcement rounds (a scheduler stops repeating a task that throws). */
    private static final class RoundsDone extends RuntimeException {
        RoundsDone() {
            super("done", null, false, false);
        }
    }

    /**
     * The daemon cannot go on as it should: says why and exits with 70 (EX_SOFTWARE), on another thread
     * so that no lock held here delays it. systemd restarts it (Restart=always), and a new daemon
     * rebuilds its state from the kernel and PostgreSQL.
     */
    public static void fatal(Consumer<String> log, String why) {
        log.accept("FATAL: " + why + ": exiting, to be restarted whole (systemd: Restart=always)");
        Thread exit = new Thread(() -> System.exit(70), "vip-fatal");
        exit.start();
    }

    private void fatal(String why) {
        fatal(log, why);
    }

    /**
     * For the watchdog: the threads that watch, read events and follow the kernel are alive, and this
     * object's lock can be taken (a deadlock leaves the watchdog unfed, and systemd restarts the daemon).
     */
    public synchronized boolean healthy() {
        return !stopping && watchThread.isAlive() && kernelThread.isAlive() && (fifo == null || fifo.alive())
                && (control == null || control.alive());
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
        checks.shutdownNow();
        if (claims != null) {
            claims.silence();
        }
        log.accept("stopped");
        stopped.countDown();
    }

    /**
     * A claim request (socket, FIFO, the main VIP for a follower): done at once without PostgreSQL's truth;
     * with it, only when this node's PostgreSQL is the rightful primary, else refused.
     */
    public Json claim(Requester who) {
        if (truth == null) {
            if (pausedFor(who)) {
                return pausedReply("claim", who);
            }
            return thenFollowers(() -> doClaim(who, "as asked"));
        }
        return reconcile(Trigger.CLAIM_REQUEST, who, false);
    }

    /**
     * The operator's maintenance pause (as {@code repmgr service pause}): until {@link #resume}, this
     * daemon and every VIP it serves hold what they hold and change nothing on their own (no claim,
     * release, repair or announcement from an event, a check or another host's announcement); only the
     * operator's own requests over the socket are still done, fenced as ever. Returns whether it changed.
     */
    public boolean pause(Requester who) {
        boolean changed = paused.compareAndSet(null, Instant.now() + " by " + who);
        if (changed) {
            log.accept("paused by " + who + ": holding what is held, changing nothing on its own until vip resume");
        }
        return changed;
    }

    /** Ends the pause; the next check converges to what should be. Returns whether it changed. */
    public boolean resume(Requester who) {
        String was = paused.getAndSet(null);
        if (was != null) {
            log.accept("resumed by " + who + " (paused since " + was + "): checking now");
            if (truth != null) {
                checkSoon();
            } else if (!stopping) { // plain mode: a held VIP removed meanwhile is repaired now
                scheduler.execute(guarded("resume", () -> addressRemoved("resumed")));
            }
        }
        return was != null;
    }

    /** The process's other VIPs share this one's pause. */
    public void sharePause(VipDaemon main) {
        this.paused = main.paused;
    }

    /** Paused, and the requester is not the operator on the socket. */
    private boolean pausedFor(Requester who) {
        return paused.get() != null && !"socket".equals(who.source());
    }

    /** A release request; see {@link #release(Requester, boolean)}. */
    public Json release(Requester who) {
        return release(who, false);
    }

    /**
     * A release request: done at once without PostgreSQL's truth; with it, refused on the rightful primary
     * unless {@code force} (the operator's, root only), which also stops this daemon from claiming the VIP
     * again on its own until the next claim request or restart.
     */
    public Json release(Requester who, boolean force) {
        if (truth == null) {
            if (pausedFor(who)) {
                return pausedReply("release", who);
            }
            return thenFollowers(() -> doRelease(who, "as asked"));
        }
        return reconcile(force ? Trigger.FORCED_RELEASE : Trigger.RELEASE_REQUEST, who, false);
    }

    /**
     * Asks PostgreSQL (the peers too when {@code askPeers}), decides, acts. Returns what was done, as the
     * control socket's reply.
     */
    private Json reconcile(Trigger trigger, Requester who, boolean askPeers) {
        Truth t = truth.observe(askPeers);
        try {
            return thenFollowers(() -> decideAndAct(t, trigger, who));
        } finally {
            lookSoonerWhileCutOff();
        }
    }

    private synchronized Json decideAndAct(Truth t, Trigger trigger, Requester who) {
        if (stopping) {
            return result(verb(trigger), false).put(Reply.ERROR, "the daemon is stopping");
        }
        // a claim request is decided the same whether the address is there or not (hold: the add is
        // idempotent; refuse), so the fast path asks the kernel nothing before the first frame
        boolean present = trigger == Trigger.CLAIM_REQUEST ? held : presentNow();
        Duration inDoubt = doubtSince == 0 ? null : Duration.ofNanos(System.nanoTime() - doubtSince);
        Verdict v = Arbiter.decide(t, present, linkUp, trigger, config.doubtAfter(), inDoubt);
        if (v.standing() == Standing.DOUBTED) {
            doubtSince = doubtSince == 0 ? System.nanoTime() : doubtSince;
        } else if (v.standing() != Standing.UNKNOWN) {
            doubtSince = 0; // the doubt ended (or this node is not a primary now); a blind look keeps it
        }
        if (trigger == Trigger.CLAIM_REQUEST && v.action() != Action.REFUSE) {
            suspended = false; // an explicit claim ends a forced release's pause
        }
        if (pausedFor(who) && v.action() != Action.WAIT && v.action() != Action.REFUSE) {
            v = new Verdict(Action.WAIT, v.standing(), v.rightful(), "paused (" + paused.get() + "): would "
                    + v.action().name().toLowerCase() + ": " + v.reason());
        }
        if (suspended && (v.action() == Action.HOLD || v.action() == Action.DEFEND)) {
            v = new Verdict(Action.WAIT, v.standing(), v.rightful(), v.reason()
                    + "; released by the operator (--force): not claimed again until a claim request");
        }
        note(t, v, trigger);
        Json out = switch (v.action()) {
            case HOLD -> doClaim(who, v.reason());
            case DEFEND -> defend(who, v.reason());
            case RELEASE -> {
                if (trigger == Trigger.FORCED_RELEASE) {
                    suspended = true;
                }
                if (trigger == Trigger.FOREIGN_ANNOUNCEMENT) {
                    lostTo = who.source();
                }
                yield doRelease(who, v.reason());
            }
            case WAIT -> result(verb(trigger), true).put(Reply.CHANGED, false);
            case REFUSE -> {
                fenceRefusals++;
                log.accept(verb(trigger) + " by " + who + " refused: " + v.reason());
                yield result(verb(trigger), false).put(Reply.FENCED, true).put(Reply.ERROR, "refused: " + v.reason());
            }
        };
        return out.put("decision", v.action().name().toLowerCase()).put("reason", v.reason());
    }

    /**
     * Holding the VIP with a peer out of reach is how a partition looks from the stale side (and a doubted
     * primary waits for good news): after such a look another comes in a quarter of the check interval,
     * so that the heal (which brings no event) ends a split sooner. Nothing is scheduled otherwise: an idle
     * daemon wakes once an interval.
     */
    private void lookSoonerWhileCutOff() {
        if (!cutOffHolder()) {
            return;
        }
        synchronized (this) {
            if (stopping || sooner != null && !sooner.isDone()) {
                return;
            }
            long often = Math.max(1, config.checkInterval().toMillis() / 4);
            try {
                sooner = checks.schedule(guarded("check", () -> {
                    if (cutOffHolder()) {
                        tick();
                    }
                }), often, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping
            }
        }
    }

    private Json pausedReply(String verb, Requester who) {
        log.accept(verb + " by " + who + " not done: paused (" + paused.get() + ")");
        return result(verb, true).put(Reply.CHANGED, false).put(Reply.PAUSED, true);
    }

    private static String verb(Trigger trigger) {
        return switch (trigger) {
            case CLAIM_REQUEST -> "claim";
            case RELEASE_REQUEST, FORCED_RELEASE -> "release";
            default -> "check";
        };
    }

    /** Keeps what the last decision saw, and says loudly when this node's standing changes. */
    private void note(Truth t, Verdict v, Trigger trigger) {
        checksDone++;
        Standing before = lastVerdict == null ? null : lastVerdict.standing();
        lastTruth = t;
        lastVerdict = v;
        if (v.standing() == Standing.STALE && !stale) {
            stale = true;
            Truth.Node other = v.rightful().orElseThrow();
            log.accept("ERROR: STALE PRIMARY: " + v.reason() + "; this node will not hold " + config.vip().prefix()
                    + (config.staleCommand() == null ? "" : "; running the stale-primary command"));
            runStaleCommand(t.self(), other);
        } else if (v.standing() != Standing.STALE && stale) {
            stale = false;
            log.accept("no longer a stale primary: " + v.reason());
        } else if (before != v.standing() && v.action() == Action.WAIT) {
            log.accept("standing: " + v.standing().name().toLowerCase() + " (" + trigger.name().toLowerCase()
                    + "): " + v.reason());
        }
    }

    private void runStaleCommand(Truth.Node self, Truth.Node rightful) {
        if (config.staleCommand() == null) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", config.staleCommand()).redirectErrorStream(true);
        pb.environment().put("VIP_ADDRESS", config.vip().prefix().toString());
        pb.environment().put("VIP_INTERFACE", config.vip().interfaceName());
        pb.environment().put("VIP_STALE_NODE", Integer.toString(self.id()));
        pb.environment().put("VIP_STALE_TIMELINE", Long.toString(self.timeline()));
        pb.environment().put("VIP_PRIMARY_NODE", Integer.toString(rightful.id()));
        pb.environment().put("VIP_PRIMARY_TIMELINE", Long.toString(rightful.timeline()));
        Thread command = new Thread(() -> {
            try {
                Process p = pb.start();
                p.getOutputStream().close();
                try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8))) {
                    out.lines().limit(20).forEach(line -> log.accept("stale-primary command: " + line));
                }
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    log.accept("stale-primary command: still running after 60 s: killed");
                } else {
                    log.accept("stale-primary command: exit " + p.exitValue());
                }
            } catch (IOException e) {
                log.accept("stale-primary command: cannot run it: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vip-stale-command");
        command.setDaemon(true);
        command.start();
    }

    /**
     * Holding the VIP while the last look found some peer out of reach, or a primary in doubt (it gets the
     * VIP back as soon as the standbys see it again).
     */
    private synchronized boolean cutOffHolder() {
        return lastVerdict != null && lastVerdict.standing() == Standing.DOUBTED
                || held && lastTruth != null && lastTruth.peers().stream().anyMatch(n -> n.role() == Truth.Role.UNREACHABLE);
    }

    /** The periodic check: makes up lost events, heals a silent partition into one holder. */
    private void tick() {
        try {
            reconcile(Trigger.TICK, Requester.CHECK, true);
        } catch (RuntimeException e) {
            synchronized (this) {
                errors++;
            }
            log.accept("check failed: " + e);
        }
    }

    /** A check soon, on the checks' thread (after a repmgr event that asks for no change itself). */
    public void checkSoon() {
        if (truth != null && !stopping) {
            checks.execute(this::tick);
        }
    }

    private boolean presentNow() {
        try {
            return addresses.find(config.vip()).address().isPresent();
        } catch (IOException e) {
            return held; // cannot ask the kernel: assume what we last did
        }
    }

    /** Holding or not, and when that last changed (a metric). */
    private void setHeld(boolean now) {
        if (now != held) {
            lastTransition = Instant.now();
        }
        held = now;
    }

    /**
     * What asked, as a metric's label: socket, repmgr, check, start, kernel, announcement, health_check.
     */
    static String sourceLabel(Requester who) {
        String s = who.source();
        if (s.startsWith("repmgr ")) {
            return "repmgr";
        }
        if (s.startsWith("health check")) {
            return "health_check";
        }
        if (s.equals("periodic check")) {
            return "check";
        }
        if (s.equals("start-up")) {
            return "start";
        }
        int end = 0;
        while (end < s.length() && Character.isLetter(s.charAt(end))) {
            end++;
        }
        return s.substring(0, end);
    }

    /** This VIP's counters and state, for {@link Metrics}. */
    public record MetricsSample(String vip, String interfaceName, boolean held, boolean present,
                                java.util.Map<String, Long> claims, java.util.Map<String, Long> releases,
                                long foreignAnnouncements, long announcementsSent, long repairs, long fenceRefusals,
                                long errors, long checks, boolean stale, boolean paused, Instant lastTransition,
                                Truth.Node self) {
    }

    public synchronized MetricsSample metrics() {
        boolean present;
        try {
            present = addresses.find(config.vip()).address().isPresent();
        } catch (IOException e) {
            present = false;
        }
        return new MetricsSample(config.vip().prefix().toString(), config.vip().interfaceName(), held, present,
                java.util.Map.copyOf(claimsBySource), java.util.Map.copyOf(releasesBySource), foreignClaims,
                announcements, repairs, fenceRefusals, errors, checksDone, stale, paused.get() != null,
                lastTransition, lastTruth == null ? null : lastTruth.self());
    }

    private Json doClaim(Requester who, String why) {
        long began = System.nanoTime();
        claimsBySource.merge(sourceLabel(who), 1L, Long::sum);
        setHeld(true);
        lostTo = null;
        claimedAtNanos = began;
        answeredCrossing = false;
        lastClaim = Instant.now() + " by " + who;
        try {
            Claims.Claimed outcome = addAndAnnounce();
            int sent = outcome.sent();
            carry = () -> followers.forEach(f -> f.claim(who));
            if (outcome.added() || who != Requester.CHECK) {
                log.accept("claim by " + who + ": " + (outcome.added() ? "added " : "already had ")
                        + config.vip().prefix() + ", announced (" + sent + " frames now) in "
                        + (System.nanoTime() - began) / 1000 + " µs: " + why);
            }
            if (outcome.added() && who == Requester.CHECK) {
                repairs++;
            }
            return result("claim", true).put(Reply.CHANGED, outcome.added()).put(Reply.ANNOUNCED, sent);
        } catch (IOException | ConflictException e) {
            errors++;
            log.accept("claim by " + who + " failed: " + e.getMessage());
            return result("claim", false).put(Reply.ERROR, e.getMessage());
        }
    }

    /**
     * Does {@code act} holding this daemon's monitor, then, once it is let go, the followers' part of the
     * claim or release it did (nothing when it did neither).
     */
    private Json thenFollowers(Supplier<Json> act) {
        Json out;
        Runnable carried;
        synchronized (this) {
            out = act.get();
            carried = carry;
            carry = null;
        }
        if (carried != null) {
            carried.run();
        }
        return out;
    }

    /** Stop announcing and delete the VIP (idempotent). */
    private Json doRelease(Requester who, String why) {
        releasesBySource.merge(sourceLabel(who), 1L, Long::sum);
        setHeld(false);
        cancelRounds();
        lastRelease = Instant.now() + " by " + who;
        try {
            boolean changed = claims.release().changed();
            if (changed) {
                releases++;
            }
            boolean force = suspended;
            carry = () -> followers.forEach(f -> f.release(who, force));
            log.accept("release by " + who + ": " + (changed ? "deleted " : "did not have ") + config.vip().prefix()
                    + ": " + why);
            return result("release", true).put(Reply.CHANGED, changed);
        } catch (IOException e) {
            errors++;
            log.accept("release by " + who + " failed: " + e.getMessage());
            return result("release", false).put(Reply.ERROR, e.getMessage());
        }
    }

    /** One round now, so that a stale holder and the clients see us; at most every 100 ms. */
    private Json defend(Requester who, String why) {
        setHeld(true);
        long now = System.nanoTime();
        int sent = 0;
        if (now - lastDefendNanos >= TimeUnit.MILLISECONDS.toNanos(100)) {
            lastDefendNanos = now;
            sent = announceRound(generation);
            defends++;
            if (who != Requester.CHECK || !stale) {
                log.accept("defended " + config.vip().prefix() + " (" + sent + " frames) on " + who + ": " + why);
            }
        }
        return result("claim", true).put(Reply.CHANGED, false).put(Reply.ANNOUNCED, sent);
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
     * or start-up), each after this one's is done and its monitor let go; it announces, watches and
     * repairs on its own.
     */
    public void follower(VipDaemon other) {
        followers.add(other);
    }

    /** A VIP taken out of this daemon by a reload: its status and its following end here. */
    public void forget(String prefix, VipDaemon other) {
        companions.removeIf(c -> c.prefix().equals(prefix));
        followers.remove(other);
    }

    /** What the last reload (SIGHUP) did or why it was refused, with its time, for status. */
    public void reloaded(String outcome) {
        lastReload = Instant.now() + ": " + outcome;
    }

    public synchronized boolean held() {
        return held;
    }

    /** The link-layer address of the last other host seen announcing this VIP, if any since start. */
    public synchronized Optional<MacAddress> lastForeignAnnouncer() {
        return Optional.ofNullable(lastForeignMac);
    }

    /** Whether this daemon yielded the VIP to another host within {@code d}. */
    public synchronized boolean yieldedWithin(Duration d) {
        return lastYieldNanos != 0 && System.nanoTime() - lastYieldNanos < d.toNanos();
    }

    /** This daemon as the control socket's answers see it. */
    private final class Answered implements Answers.Daemon {
        @Override
        public Vip vip() {
            return config.vip();
        }

        @Override
        public Json status() {
            return VipDaemon.this.status();
        }

        @Override
        public boolean pause(Requester who) {
            return VipDaemon.this.pause(who);
        }

        @Override
        public boolean resume(Requester who) {
            return VipDaemon.this.resume(who);
        }

        @Override
        public Json claim(Requester who) {
            return VipDaemon.this.claim(who);
        }

        @Override
        public Json release(Requester who, boolean force) {
            return VipDaemon.this.release(who, force);
        }

        @Override
        public void countRequest(boolean refused) {
            VipDaemon.this.countRequest(refused);
        }
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

    private void handle(RepmgrEvent event) {
        if (config.nodeId() != null && event.nodeId() != config.nodeId()) {
            log.accept("repmgr event " + event.event() + " for node " + event.nodeId() + " ignored: this is node "
                    + config.nodeId());
            return;
        }
        switch (event.decision()) {
            case CLAIM -> {
                // repmgr fires standby_promote and repmgrd_failover_promote for one promotion: act once
                synchronized (this) {
                    if (held && System.nanoTime() - lastFifoClaimNanos < Duration.ofSeconds(30).toNanos()) {
                        log.accept("repmgr event " + event.event() + ": already claimed for this promotion");
                        return;
                    }
                    lastFifoClaimNanos = System.nanoTime();
                }
                claim(Requester.fifo(event.event()));
            }
            case RELEASE -> release(Requester.fifo(event.event()));
            case IGNORE -> {
                log.accept("repmgr event " + event.event() + " (success " + (event.success() ? 1 : 0)
                        + "): nothing to do" + (truth == null ? "" : " but look"));
                checkSoon();
            }
        }
    }

    /**
     * Called on the watcher's thread when another host announces the VIP. With PostgreSQL's truth: asks it
     * (the peers too), then yields when the announcer may be rightful, or defends when this node is.
     * Without it: yields, except just after our own claim: then the previous holder's last scheduled round
     * may have left before our claim reached it (it stops announcing as soon as it sees ours). Yielding to
     * that frame would leave the VIP nowhere, as the previous holder yields to us; so within the claim grace
     * the first such frame is answered by announcing again (clients that took the stale frame point back to
     * us), the others are ignored, and a claim after the grace is yielded to as usual.
     */
    private boolean onForeignClaim(Sighting claim) throws IOException {
        if (truth != null) {
            synchronized (this) {
                foreignClaims++;
                lastForeignMac = claim.mac();
            }
            Json r = reconcile(Trigger.FOREIGN_ANNOUNCEMENT, Requester.announcement(claim.mac().toString()), true);
            return "release".equals(r.get("decision")) && Boolean.TRUE.equals(r.get("changed"));
        }
        synchronized (this) {
            foreignClaims++;
            lastForeignMac = claim.mac();
            if (paused.get() != null) {
                return false; // seen and counted; nothing changes while paused
            }
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
            return yieldTo(claim.mac(), "foreign claim from " + claim.mac());
        }
    }

    /** Plain mode: another host has the VIP; let it go. */
    private boolean yieldTo(MacAddress other, String why) throws IOException {
        if (held) {
            lastYieldNanos = System.nanoTime();
            releasesBySource.merge("announcement", 1L, Long::sum);
            setHeld(false);
            cancelRounds();
            lostTo = other.toString();
            lastRelease = Instant.now() + " by " + why;
        }
        boolean deleted = claims.release().changed();
        if (deleted) {
            releases++;
        }
        return deleted;
    }

    /** Address and link events: repair a held VIP that was removed, re-announce when the link returns. */
    /** The kernel-event loop's view of this daemon. */
    private final class Kernel implements KernelFollower.Daemon {
        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public void addressRemoved(String why) {
            VipDaemon.this.addressRemoved(why);
        }

        @Override
        public void link(boolean up) {
            linkUp = up;
        }

        @Override
        public void linkUp() {
            VipDaemon.this.linkUp();
        }

        @Override
        public void linkDown() {
            if (truth != null) {
                // nobody reaches the VIP here now, and the standbys may be promoting one of them: let go,
                // so that when the link returns nothing answers before PostgreSQL is asked
                reconcile(Trigger.LINK_DOWN, Requester.kernel("link down"), false);
            }
        }

        @Override
        public void log(String line) {
            log.accept(line);
        }

        @Override
        public void pause(Duration d) {
            sleep(d);
        }
    }

    private void addressRemoved(String why) {
        if (stopping) {
            return;
        }
        if (truth != null) {
            reconcile(Trigger.ADDRESS_REMOVED, Requester.kernel(why), false);
        } else if (held() && paused.get() == null) {
            reannounceAfterProbe(why + " while held");
        }
    }

    private void linkUp() {
        if (truth != null) {
            log.accept(config.vip().interfaceName() + " is up again: asking PostgreSQL before anything leaves");
            reconcile(Trigger.LINK_UP, Requester.kernel("link up"), true);
        } else if (held() && paused.get() == null) {
            reannounceAfterProbe(config.vip().interfaceName() + " is up again");
        }
    }

    private void refresh() {
        if (!held() || paused.get() != null) {
            return;
        }
        if (truth != null) {
            reconcile(Trigger.REFRESH, Requester.CHECK, false);
        } else {
            reannounceAfterProbe(null);
        }
    }

    /**
     * Plain mode: before announcing a VIP we hold again, ask the segment whether another host answers for
     * it (RFC 5227 probe / DAD solicitation); if one does, yield to it instead, else re-add it if it is
     * missing and announce it. {@code why} null: a periodic refresh (one round, no log line).
     */
    private void reannounceAfterProbe(String why) {
        Optional<MacAddress> other;
        try {
            other = Prober.probe(config.vip().interfaceName(), claims.mac(), Set.of(claims.mac()),
                    config.vip().prefix().address(), PROBE_TIME, 2);
        } catch (IOException e) {
            other = Optional.empty(); // cannot probe (link just came up): announce as before
        }
        synchronized (this) {
            probes++;
            if (!held || stopping) {
                return;
            }
            try {
                if (other.isPresent()) {
                    boolean deleted = yieldTo(other.get(), "probe answered by " + other.get());
                    log.accept((why == null ? "refresh" : why) + ": " + other.get() + " answers for "
                            + config.vip().prefix().addressText() + ": yielded to it"
                            + (deleted ? ", deleted it here" : ""));
                    return;
                }
                if (why == null) {
                    announceRound(generation);
                    return;
                }
                Claims.Claimed outcome = addAndAnnounce();
                int sent = outcome.sent();
                if (outcome.added()) {
                    repairs++;
                }
                log.accept(why + ": no other host answers a probe; " + (outcome.added() ? "re-added " : "announced ")
                        + config.vip().prefix() + (outcome.added() ? " and announced it" : "") + " (" + sent
                        + " frames)");
            } catch (IOException | ConflictException e) {
                errors++;
                log.accept("cannot repair " + config.vip().prefix() + ": " + e.getMessage());
            }
        }
    }

    /** Add the VIP (idempotent) and announce it: the first round now, the rest on the scheduler. */
    private Claims.Claimed addAndAnnounce() throws IOException, ConflictException {
        cancelRounds();
        long gen = ++generation;
        Claims.Claimed outcome = claims.claim(Claims.IfPresent.ANNOUNCE, this::roundFailed);
        announcements += outcome.sent();
        repeatRounds(gen);
        return outcome;
    }

    /** The rounds after a first one just sent, on the scheduler, for as long as {@code gen} lasts. */
    private void repeatRounds(long gen) {
        if (config.count() > 1) {
            long interval = config.interval().toMillis();
            int[] left = {config.count() - 1};
            rounds = scheduler.scheduleAtFixedRate(guarded("announcement round", () -> {
                synchronized (VipDaemon.this) {
                    if (left[0]-- <= 0 || gen != generation) {
                        throw new RoundsDone(); // ends this repetition quietly
                    }
                    announceRound(gen);
                }
            }), interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    private int announceRound(long gen) {
        if (!held || gen != generation) {
            return 0;
        }
        try {
            int sent = claims.round(this::roundFailed);
            announcements += sent;
            return sent;
        } catch (IOException e) {
            throw new IllegalStateException(e); // roundFailed never throws
        }
    }

    /**
     * A round's send failed: a handle opened before the link last went down keeps failing ("Network is
     * down"), so {@link Claims} opens a new one, and this round, the one clients wait for, is sent again.
     */
    private void roundFailed(IOException e, boolean retrying) {
        errors++;
        log.accept("cannot announce " + config.vip().prefix() + ": " + e.getMessage()
                + (retrying ? ": reopening and sending again" : ": this round is lost"));
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
            // what the main VIP's fields already say once (the process's, the interface's) is left out
            c.status().get().fields().forEach((k, v) -> {
                if (!SHARED_STATUS.contains(k)) {
                    out.put(c.prefix() + k, v);
                }
            });
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
                .put("mac", claims == null ? null : String.valueOf(claims.mac()))
                .put("last_claim", lastClaim).put("last_release", lastRelease).put("lost_to", lostTo)
                .put("announcements_sent", announcements).put("foreign_claims_seen", foreignClaims)
                .put("crossings_answered", crossingsAnswered)
                .put("releases", releases).put("repairs", repairs).put("errors", errors)
                .put("requests", requests).put("refused", refused)
                .put("truth", truth == null ? "none (plain layer 2)" : "postgresql")
                .put("standing", lastVerdict == null ? null : lastVerdict.standing().name().toLowerCase())
                .put("decision", lastVerdict == null ? null : lastVerdict.reason())
                .put("rightful_node", lastVerdict == null ? null
                        : lastVerdict.rightful().map(n -> (Object) n.id()).orElse(null))
                .put("local_timeline", lastTruth == null || !lastTruth.self().primary() ? null
                        : lastTruth.self().timeline())
                .put("stale_primary", stale)
                .put("stale_peer", stale ? lastVerdict.rightful().map(Truth.Node::toString).orElse(null) : null)
                .put("fence_refusals", fenceRefusals).put("defends", defends).put("checks", checksDone)
                .put("suspended", suspended).put("probes", probes)
                .put("paused", paused.get() != null).put("paused_since", paused.get())
                .put("last_reload", lastReload)
                .put("uptime_s", Duration.between(started, Instant.now()).toSeconds())
                .put("pid", ProcessHandle.current().pid());
    }

    private Json result(String action, boolean ok) {
        return new Json().put(Reply.OK, ok).put("action", action).put("interface", config.vip().interfaceName())
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
