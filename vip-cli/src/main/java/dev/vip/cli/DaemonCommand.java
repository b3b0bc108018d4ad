package dev.vip.cli;

import dev.vip.core.AddOptions;
import dev.vip.core.AddressManager;
import dev.vip.core.IpPrefix;
import dev.vip.core.Vip;
import dev.vip.core.daemon.DaemonConfig;
import dev.vip.core.daemon.LogLines;
import dev.vip.core.daemon.Metrics;
import dev.vip.core.daemon.MetricsExporter;
import dev.vip.core.daemon.Requester;
import dev.vip.core.daemon.SdNotify;
import dev.vip.core.daemon.VipDaemon;
import dev.vip.hook.ClusterTruth;
import dev.vip.hook.Conninfo;
import dev.vip.hook.StandbyKeeper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code vip daemon}: holds the VIP warm; claims and releases come over its socket and FIFO. */
@Command(name = "daemon", description = {"Run the VIP daemon: watches for other hosts announcing the VIP, "
        + "claims and releases it on request (control socket, repmgr event FIFO), repairs it while held.",
    "Needs CAP_NET_ADMIN and CAP_NET_RAW only. Stops on SIGTERM or SIGINT (exit 0), leaving the VIP as it is."})
final class DaemonCommand implements Callable<Integer>, Main.Reporting {
    /** Each server's connect and read timeout when PostgreSQL is asked (pgjdbc counts whole seconds). */
    private static final Duration PG_TIMEOUT = Duration.ofSeconds(1);

    @Spec
    CommandSpec spec;

    @Mixin
    VipOptions target;

    @Mixin
    OutputOptions output;

    @Mixin
    AnnounceOptions announce;

    @Mixin
    AddressOptions address;

    @Option(names = "--refresh", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Re-announce the VIP this often while it is held (default: never).")
    Duration refresh;

    @Option(names = "--socket", paramLabel = "PATH", defaultValue = "${env:VIP_SOCKET:-/run/vip/vip.sock}",
            description = "The control socket (default: ${DEFAULT-VALUE}).")
    Path socket;

    @Option(names = "--events-fifo", paramLabel = "PATH", defaultValue = "/run/vip/events",
            description = "The FIFO for repmgr's event_notification_command (default: ${DEFAULT-VALUE}).")
    Path eventsFifo;

    @Option(names = "--no-events-fifo", description = "Do not create the events FIFO.")
    boolean noEventsFifo;

    @Option(names = "--events-group", paramLabel = "GROUP",
            description = "The group that may write the events FIFO, e.g. postgres.")
    String eventsGroup;

    @Option(names = "--allow-user", paramLabel = "USER", split = ",", description = "A user who may claim and release "
            + "over the socket (root always may); repeatable.")
    List<String> allowUsers = List.of();

    @Option(names = "--allow-group", paramLabel = "GROUP", split = ",", description = "A group whose members may claim "
            + "and release; repeatable.")
    List<String> allowGroups = List.of();

    @Option(names = "--node-id", paramLabel = "N", description = "This node's repmgr node id: events for other "
            + "ids are ignored.")
    Integer nodeId;

    @Option(names = "--claim-grace", paramLabel = "DURATION", defaultValue = "500ms",
            converter = DurationConverter.class, description = "Without --conninfo: for this long after a claim, another host's "
            + "announcement is taken as the previous holder's last round crossing ours: it is answered by "
            + "announcing again, once, not yielded to (default: ${DEFAULT-VALUE}; 0 to yield at once).")
    Duration claimGrace;

    @Option(names = "--standby-address", paramLabel = "CIDR", description = "A second VIP that follows a healthy "
            + "streaming standby (reads, backups), on the same interface; needs --node-id and --conninfo.")
    String standbyAddress;

    @Option(names = "--standby-label", paramLabel = "LABEL", description = "The standby VIP's label (IPv4), e.g. eth0:1.")
    String standbyLabel;

    @Option(names = "--vip", paramLabel = "VIP", split = ",", description = "Another VIP on the same "
            + "interface, as ROLE:CIDR[:LABEL], with its role: primary (it follows this daemon's claims and releases) or standby (it follows "
            + "a streaming standby, as --standby-address); repeatable, e.g. standby:2001:db8::3/64 or "
            + "primary:198.51.100.30/32:eth0:2.")
    List<String> extraVips = List.of();

    @Option(names = "--conninfo", paramLabel = "CONNINFO", description = "This node's own PostgreSQL (libpq key=value, "
            + "a TCP host; needs --node-id). With it the daemon decides from PostgreSQL's truth: the primary VIP is "
            + "held only by the node whose PostgreSQL is the primary on the highest timeline among those it can "
            + "reach (every node of repmgr.nodes is asked), and every claim, release and announcement is checked "
            + "against that first. Without it: plain layer 2 (claims and releases as asked, another host's "
            + "announcement yielded to, a probe before every re-announcement). The standby VIP needs it too.")
    String conninfo;

    @Option(names = "--health-interval", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
            description = "How often PostgreSQL is asked whether each VIP is where it should be (default: "
                    + "${DEFAULT-VALUE}); also after every repmgr event, announcement and link change.")
    Duration healthInterval;

    @Option(names = "--doubt-after", paramLabel = "DURATION", defaultValue = "4s", converter = DurationConverter.class,
            description = "With --conninfo: the primary lets go of the VIP (and claims nothing) while a standby's "
                    + "repmgrd that watches it has not seen it for this long (it is failing over, or about to), "
                    + "while it has heard nothing from any other node (two or more) for this long, and while its "
                    + "link is down; it holds it again once the standbys see it. Above twice repmgr's "
                    + "monitor_interval_secs, below its failover detection time (default: ${DEFAULT-VALUE}).")
    Duration doubtAfter;

    @Option(names = "--stale-primary-command", paramLabel = "COMMAND", description = "A shell command to run (as the "
            + "daemon's user) when this node learns that its PostgreSQL is a stale primary (another reachable "
            + "primary is on a higher timeline), e.g. to stop it; $VIP_STALE_TIMELINE, $VIP_PRIMARY_NODE and "
            + "$VIP_PRIMARY_TIMELINE describe what was seen. Default: none (the daemon only releases the VIP and "
            + "says so).")
    String staleCommand;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT", description = "Serve Prometheus metrics at "
            + "http://HOST:PORT/metrics (e.g. 127.0.0.1:9187; [::1]:9187). Default: off.")
    String metricsListen;

    @Option(names = "--metrics-file", paramLabel = "PATH", description = "Write Prometheus metrics to this file "
            + "(node-exporter's textfile collector; written whole, then renamed) at start and every --health-interval. "
            + "Default: off.")
    Path metricsFile;

    @Option(names = "--check", description = "Check the settings (vip.conf and these options: syntax, addresses, "
            + "users, groups, the conninfo) and exit: 0 when they would start, 2 with the problem otherwise. Changes "
            + "nothing and needs no privilege; the unit runs it before the daemon (ExecStartPre).")
    boolean check;

    @Option(names = "--max-lag", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "The largest replay lag a standby may have to get the standby VIP (default: no limit); "
                    + "the one holding it keeps it up to twice that.")
    Duration maxLag;

    @Override
    public OutputOptions output() {
        return output;
    }

    /** The settings, checked: what a start and a reload (SIGHUP) both work from. */
    record Settings(Vip vip, DaemonConfig config, List<RoleVip> extras, Conninfo pg, Duration maxLag,
                    String metricsListen, Path metricsFile) {
        /** What differs from {@code other} besides the VIPs of --vip and --standby-address (empty: nothing). */
        List<String> otherChanges(Settings other) {
            List<String> out = new ArrayList<>(config.changedSettings(other.config));
            if (!Objects.equals(pg, other.pg)) {
                out.add("conninfo");
            }
            if (!Objects.equals(maxLag, other.maxLag)) {
                out.add("max-lag");
            }
            if (!Objects.equals(metricsListen, other.metricsListen)
                    || !Objects.equals(metricsFile, other.metricsFile)) {
                out.add("metrics");
            }
            return out;
        }
    }

    /** Checks the options and the file's values; a ParameterException says what is wrong. */
    Settings settings() {
        Vip vip = target.vip(address.label);
        announce.validate();
        AddOptions addOptions = address.addOptions();
        if (refresh != null && refresh.compareTo(Duration.ofMillis(100)) < 0) {
            throw new ParameterException(spec.commandLine(), "--refresh must be at least 100ms");
        }
        if (claimGrace.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new ParameterException(spec.commandLine(), "--claim-grace must be at most 10s");
        }
        List<RoleVip> extras = new ArrayList<>();
        if (standbyAddress != null) {
            extras.add(new RoleVip("standby", parseVip(vip.interfaceName(), standbyAddress, standbyLabel)));
        }
        for (String extra : extraVips) {
            try {
                extras.add(RoleVip.parse(extra.strip(), vip.interfaceName()));
            } catch (IllegalArgumentException e) { // InvalidInputException too
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        Set<java.net.InetAddress> seen = new HashSet<>(Set.of(vip.prefix().address()));
        for (RoleVip extra : extras) {
            if (!seen.add(extra.vip().prefix().address())) {
                throw new ParameterException(spec.commandLine(), extra.vip().prefix() + " is given twice");
            }
        }
        Conninfo pg = null;
        if (extras.stream().anyMatch(RoleVip::standby) && (nodeId == null || conninfo == null)) {
            throw new ParameterException(spec.commandLine(), "a standby VIP needs --node-id and --conninfo");
        }
        if (conninfo != null && nodeId == null) {
            throw new ParameterException(spec.commandLine(), "--conninfo needs --node-id (this node's repmgr id)");
        }
        if (staleCommand != null && conninfo == null) {
            throw new ParameterException(spec.commandLine(), "--stale-primary-command needs --conninfo");
        }
        if (conninfo != null) {
            if (healthInterval.compareTo(Duration.ofMillis(200)) < 0 || healthInterval.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new ParameterException(spec.commandLine(), "--health-interval must be 200ms-5m");
            }
            if (doubtAfter.compareTo(Duration.ofSeconds(1)) < 0 || doubtAfter.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new ParameterException(spec.commandLine(), "--doubt-after must be 1s-10m");
            }
            pg = ConninfoOption.parse(spec, conninfo);
        }
        POSIX posix = POSIXFactory.getNativePOSIX();
        Set<Integer> uids = new HashSet<>();
        for (String u : allowUsers) {
            uids.add(resolve(u, true, posix));
        }
        Set<Integer> gids = new HashSet<>();
        for (String g : allowGroups) {
            gids.add(resolve(g, false, posix));
        }
        Integer eventsGid = eventsGroup == null ? null : resolve(eventsGroup, false, posix);
        DaemonConfig config = new DaemonConfig(vip, addOptions, announce.arpMode, announce.count, announce.interval,
                refresh, socket, noEventsFifo ? null : eventsFifo, eventsGid, uids, gids, nodeId,
                claimGrace, healthInterval, staleCommand, doubtAfter);
        if (metricsListen != null) {
            hostPort(metricsListen);
        }
        return new Settings(vip, config, List.copyOf(extras), pg, maxLag, metricsListen, metricsFile);
    }

    /** One VIP of --vip or --standby-address, running: its own daemon (and keeper, for a standby VIP). */
    private record Extra(RoleVip spec, String prefix, VipDaemon daemon, StandbyKeeper keeper) {
    }

    @Override
    public Integer call() throws Exception {
        Settings settings = settings();
        Vip vip = settings.vip();
        DaemonConfig config = settings.config();
        Conninfo pg = settings.pg();
        InetSocketAddress metricsAddress = metricsListen == null ? null : hostPort(metricsListen);
        PrintWriter err = spec.commandLine().getErr();
        if (check) {
            spec.commandLine().getOut().println("vip daemon: the settings are valid: " + vip.prefix() + " on "
                    + vip.interfaceName() + (settings.extras().isEmpty() ? "" : " and " + settings.extras().size()
                    + " more VIP(s)") + (pg == null ? ", plain layer 2 (no --conninfo)" : ", deciding from PostgreSQL (node "
                    + nodeId + ")") + ", socket " + socket + (noEventsFifo ? "" : ", events FIFO " + eventsFifo));
            return ExitCodes.OK;
        }
        runtimeDirectory(socket);
        if (!noEventsFifo) {
            runtimeDirectory(eventsFifo);
        }
        // an error no code path expected, in any thread: the daemon exits and is restarted whole
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> VipDaemon.fatal(log(err, ""),
                "uncaught in thread " + t.getName() + ": " + e));
        // one source for every primary VIP: the peers are asked once per check, whichever VIP asks
        // looks come every --health-interval (each VIP's check asks): a gap longer than two of them, or than
        // --doubt-after, is a pause in which a standby's repmgrd may have decided a promotion unseen
        Duration twoChecks = healthInterval.multipliedBy(2);
        Duration pauseAfter = twoChecks.compareTo(doubtAfter) > 0 ? twoChecks : doubtAfter;
        ClusterTruth truth = pg == null ? null : new ClusterTruth(nodeId, pg, PG_TIMEOUT, pauseAfter,
                log(err, ""));
        VipDaemon daemon = new VipDaemon(config, log(err, ""), truth);
        List<Extra> extras = new CopyOnWriteArrayList<>();
        // caught before the socket accepts (a signal then waits until everything runs)
        DaemonSignals signals = DaemonSignals.install(log(err, ""));
        try {
            daemon.start();
            for (RoleVip extra : settings.extras()) {
                extras.add(startExtra(extra, settings, daemon, truth, extras, err));
            }
        } catch (IOException e) {
            extras.forEach(x -> x.daemon().stop());
            daemon.stop();
            if (truth != null) {
                truth.close();
            }
            throw CommandFailure.of("start the daemon for " + vip.prefix() + " on " + vip.interfaceName(), e,
                    AddressCommands.ADMIN_AND_RAW);
        }
        Runnable stop = () -> {
            extras.forEach(x -> {
                if (x.keeper() != null) {
                    x.keeper().stop();
                }
            });
            extras.forEach(x -> x.daemon().stop());
            daemon.stop();
            if (truth != null) {
                truth.close();
            }
        };
        MetricsExporter metrics = new MetricsExporter(() -> {
            List<Metrics.Labelled> all = new ArrayList<>();
            all.add(new Metrics.Labelled("primary", daemon.metrics()));
            for (Extra x : extras) {
                all.add(new Metrics.Labelled(x.spec().role(), x.daemon().metrics()));
            }
            return Metrics.render(all);
        }, log(err, ""));
        try {
            if (metricsAddress != null) {
                metrics.listen(metricsAddress);
            }
            if (metricsFile != null) {
                metrics.writeFile(metricsFile, healthInterval.toMillis());
            }
        } catch (IOException e) {
            metrics.close();
            stop.run();
            throw CommandFailure.failed("cannot start the daemon: metrics "
                    + (metricsAddress != null && metricsFile == null ? "on " + metricsListen : "(" + metricsListen
                    + ", " + metricsFile + ")") + ": " + e.getMessage());
        }
        Runnable stopAll = () -> {
            metrics.close();
            stop.run();
        };
        Settings[] running = {settings};
        Consumer<String> reloadLog = log(err, "");
        signals.running(stopAll, () -> {
            synchronized (running) {
                running[0] = reload(running[0], daemon, truth, extras, err, reloadLog);
            }
        });
        notifySystemd(daemon, () -> extras.stream().map(Extra::daemon).toList(), log(err, ""));
        daemon.awaitStop();
        return ExitCodes.OK;
    }

    /** Starts one VIP of --vip or --standby-address beside the main one; its status fields get a prefix. */
    private Extra startExtra(RoleVip extra, Settings settings, VipDaemon daemon, ClusterTruth truth, List<Extra> running,
                             PrintWriter err) throws IOException {
        String prefix = freePrefix(extra, running);
        String tag = (extra.standby() ? "standby VIP " : "VIP ") + extra.vip().prefix().addressText() + ": ";
        DaemonConfig main = settings.config();
        // its own announcer, watcher and repair; no socket or FIFO of its own
        DaemonConfig extraConfig = new DaemonConfig(extra.vip(), main.addOptions(), main.arpMode(), main.count(),
                main.interval(), main.refresh(), null, null, null, Set.of(), Set.of(), main.nodeId(), main.claimGrace(),
                main.checkInterval(), extra.standby() ? null : main.staleCommand(), main.doubtAfter());
        Consumer<String> tagged = log(err, tag);
        // a standby VIP is placed by its keeper; another primary VIP decides as the main one does
        VipDaemon other = new VipDaemon(extraConfig, tagged, extra.standby() ? null : truth);
        other.sharePause(daemon); // vip pause holds every VIP of this daemon
        other.start();
        StandbyKeeper keeper = null;
        if (extra.standby()) {
            keeper = new StandbyKeeper(other, daemon::held, main.nodeId(), settings.pg(), main.checkInterval(),
                    settings.maxLag(), tagged);
            daemon.companion(prefix, keeper::status, keeper::checkSoon);
            keeper.start();
        } else {
            daemon.follower(other);
            daemon.companion(prefix, other::status, null);
        }
        return new Extra(extra, prefix, other, keeper);
    }

    /** standby_, standby2_, ... or primary2_, primary3_, ...: the first that no running VIP has. */
    private static String freePrefix(RoleVip extra, List<Extra> running) {
        for (int i = extra.standby() ? 1 : 2; ; i++) {
            String p = extra.role() + (i == 1 ? "" : Integer.toString(i)) + "_";
            if (running.stream().noneMatch(x -> x.prefix().equals(p))) {
                return p;
            }
        }
    }

    /**
     * SIGHUP: reads vip.conf and the same command line again. VIPs of --vip and --standby-address added
     * or removed take effect (a removed one is deleted from the interface); a VIP whose settings did not
     * change is left alone (not released, not announced again). A file that does not parse or check, or a
     * change to anything else (it needs a restart), is refused, and the running settings stay.
     */
    private Settings reload(Settings running, VipDaemon daemon, ClusterTruth truth, List<Extra> extras,
                            PrintWriter err, Consumer<String> log) {
        String[] args = spec.root().commandLine().getParseResult().originalArgs().toArray(new String[0]);
        Settings next;
        ConfigDefaults defaults = null;
        try {
            ConfigFile file = ConfigDefaults.locate(args, System.getenv());
            CommandIndex index = CommandIndex.load();
            picocli.CommandLine fresh = Main.tree(index, args);
            ConfigDefaults.validate(file, index);
            defaults = new ConfigDefaults(file, args);
            Main.configure(fresh, defaults);
            fresh.parseArgs(args);
            next = ((DaemonCommand) fresh.getSubcommands().get("daemon").getCommand()).settings();
        } catch (ConfigFile.ConfigException e) {
            return refuse(daemon, log, e.getMessage(), running);
        } catch (ParameterException e) {
            return refuse(daemon, log, defaults == null ? e.getMessage() : defaults.explain(e), running);
        } catch (RuntimeException e) {
            return refuse(daemon, log, e.toString(), running);
        }
        List<String> others = next.otherChanges(running);
        if (!others.isEmpty()) {
            return refuse(daemon, log, "changed: " + String.join(", ", others) + " (only the VIPs of vip and "
                    + "standby-address change on a reload; the rest needs systemctl restart vip-daemon)", running);
        }
        List<String> done = new ArrayList<>();
        for (Extra x : List.copyOf(extras)) {
            if (!next.extras().contains(x.spec())) {
                if (x.keeper() != null) {
                    x.keeper().stop();
                }
                daemon.forget(x.prefix(), x.daemon());
                x.daemon().stop();
                extras.remove(x);
                String deleted;
                try (AddressManager addresses = AddressManager.open()) {
                    deleted = addresses.release(x.spec().vip()).changed() ? "deleted from " : "was not on ";
                } catch (IOException e) {
                    deleted = "could not be deleted (" + e.getMessage() + ") from ";
                }
                done.add("removed " + x.spec().role() + " VIP " + x.spec().vip().prefix() + " (" + deleted
                        + x.spec().vip().interfaceName() + ")");
            }
        }
        List<RoleVip> have = extras.stream().map(Extra::spec).toList();
        for (RoleVip r : next.extras()) {
            if (have.contains(r)) {
                continue;
            }
            try {
                Extra x = startExtra(r, next, daemon, truth, extras, err);
                extras.add(x);
                if (!r.standby() && daemon.held()) {
                    x.daemon().claim(new Requester("reload", -1, -1)); // it follows the main VIP
                }
                done.add("added " + r.role() + " VIP " + r.vip().prefix());
            } catch (IOException e) {
                done.add("could not add " + r.role() + " VIP " + r.vip().prefix() + ": " + e.getMessage());
            }
        }
        String outcome = done.isEmpty() ? "nothing changed" : String.join("; ", done);
        log.accept("reload: " + outcome + "; " + (1 + extras.size()) + " VIP(s) served");
        daemon.reloaded(outcome);
        return next;
    }

    private static Settings refuse(VipDaemon daemon, Consumer<String> log, String why, Settings running) {
        log.accept("ERROR: reload refused, the running settings stay: " + why);
        daemon.reloaded("refused: " + why);
        return running;
    }

    /**
     * The directory of the socket or FIFO, made as the unit's RuntimeDirectory= would make it (mode 0755)
     * when the daemon is started by hand and it does not exist; a path that is not a directory is refused.
     */
    private static void runtimeDirectory(Path file) throws CommandFailure {
        Path dir = file.toAbsolutePath().getParent();
        if (java.nio.file.Files.isDirectory(dir)) {
            return;
        }
        if (java.nio.file.Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw CommandFailure.failed("cannot start the daemon: " + dir + " (for " + file + ") is not a directory");
        }
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.setPosixFilePermissions(dir,
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.NoSuchFileException ? "no such file or directory" : e.getMessage();
            throw CommandFailure.failed("cannot start the daemon: cannot make " + dir + " (for " + file + "): "
                    + why + "; make it, writable by the daemon's user, or choose another path");
        }
    }

    /**
     * Under a Type=notify unit: READY=1 once everything runs, then WATCHDOG=1 every half WatchdogSec=
     * while every daemon's threads are alive and its lock can be taken; a daemon that hangs or runs
     * half-dead stops feeding it, and systemd restarts it.
     */
    private static void notifySystemd(VipDaemon daemon, Supplier<List<VipDaemon>> others,
                                      Consumer<String> log) {
        Optional<SdNotify> notify;
        try {
            notify = SdNotify.fromEnvironment(System.getenv());
        } catch (IOException e) {
            log.accept("cannot open the systemd notification socket: " + e.getMessage());
            return;
        }
        if (notify.isEmpty()) {
            return;
        }
        SdNotify sd = notify.get();
        try {
            sd.send("READY=1\nSTATUS=holding " + (daemon.held() ? "the VIP" : "nothing yet"));
        } catch (IOException e) {
            log.accept("cannot notify systemd: " + e.getMessage());
        }
        sd.watchdog().ifPresent(every -> {
            long half = Math.max(100, every.toMillis() / 2);
            Thread feeder = new Thread(() -> {
                while (true) {
                    try {
                        Thread.sleep(half);
                        if (daemon.healthy() && others.get().stream().allMatch(VipDaemon::healthy)) {
                            sd.send("WATCHDOG=1");
                        }
                    } catch (IOException e) {
                        log.accept("cannot feed the systemd watchdog: " + e.getMessage());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "vip-watchdog");
            feeder.setDaemon(true);
            feeder.start();
        });
    }

    /**
     * The daemon's log on stderr: under systemd (JOURNAL_STREAM set) each line carries its syslog priority
     * for the journal, elsewhere the local time; a problem that repeats is printed once a minute with its count.
     */
    private static final LogLines LINES = new LogLines(60_000, System.getenv("JOURNAL_STREAM") != null,
            java.time.ZoneId.systemDefault());
    private static volatile boolean flushing;

    /** One log line on stderr, whole even when several threads log at once. */
    private static Consumer<String> log(PrintWriter err, String tag) {
        startFlushing(err);
        return line -> {
            synchronized (err) {
                LINES.accept("vip daemon: " + tag + line, System.currentTimeMillis()).forEach(err::println);
                err.flush();
            }
        };
    }

    /** Counts of repeated problems come out within a minute or so, even when nothing else is logged. */
    private static synchronized void startFlushing(PrintWriter err) {
        if (flushing) {
            return;
        }
        flushing = true;
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (err) {
                    LINES.flush(System.currentTimeMillis()).forEach(err::println);
                    err.flush();
                }
            }
        }, "vip-log-counts");
        t.setDaemon(true);
        t.start();
    }

    /** A VIP beside the main one, with its role. */
    record RoleVip(String role, Vip vip) {
        boolean standby() {
            return role.equals("standby");
        }

        /** ROLE:CIDR[:LABEL]; the CIDR ends after the digits of its prefix length (IPv6 has colons). */
        static RoleVip parse(String spec, String interfaceName) {
            int colon = spec.indexOf(':');
            int slash = spec.indexOf('/');
            if (colon < 0 || slash < colon) {
                throw new IllegalArgumentException("--vip " + spec + ": expected ROLE:CIDR[:LABEL]");
            }
            String role = spec.substring(0, colon);
            if (!role.equals("primary") && !role.equals("standby")) {
                throw new IllegalArgumentException("--vip " + spec + ": the role is primary or standby");
            }
            int end = slash + 1;
            while (end < spec.length() && Character.isDigit(spec.charAt(end))) {
                end++;
            }
            String label = null;
            if (end < spec.length()) {
                if (spec.charAt(end) != ':' || end + 1 == spec.length()) {
                    throw new IllegalArgumentException("--vip " + spec + ": expected ROLE:CIDR[:LABEL]");
                }
                label = spec.substring(end + 1);
            }
            return new RoleVip(role, new Vip(interfaceName, IpPrefix.parse(spec.substring(colon + 1, end)), label));
        }
    }

    /** HOST:PORT, [IPV6]:PORT: the address to listen on (a name is resolved now). */
    private InetSocketAddress hostPort(String value) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "" : value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (colon < 0 || host.isEmpty() || port < 1 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--metrics-listen " + value + ": expected HOST:PORT, e.g. "
                    + "127.0.0.1:9187");
        }
        InetSocketAddress a = new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw new ParameterException(spec.commandLine(), "--metrics-listen " + value + ": unknown host " + host);
        }
        return a;
    }

    private Vip parseVip(String interfaceName, String cidr, String label) {
        try {
            return new Vip(interfaceName, IpPrefix.parse(cidr), label);
        } catch (IllegalArgumentException e) { // InvalidInputException too
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private int resolve(String name, boolean user, POSIX posix) {
        if (name.matches("[0-9]{1,9}")) {
            return Integer.parseInt(name);
        }
        if (user) {
            var pw = posix.getpwnam(name);
            if (pw == null) {
                throw new ParameterException(spec.commandLine(), "no such user: " + name);
            }
            return (int) pw.getUID();
        }
        var gr = posix.getgrnam(name);
        if (gr == null) {
            throw new ParameterException(spec.commandLine(), "no such group: " + name);
        }
        return (int) gr.getGID();
    }
}
