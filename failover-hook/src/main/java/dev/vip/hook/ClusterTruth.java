package dev.vip.hook;

import dev.vip.core.daemon.Truth;
import dev.vip.core.daemon.Truth.Node;
import dev.vip.core.daemon.TruthSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The daemon's {@link TruthSource}: this node's PostgreSQL over a connection kept warm (one round trip a
 * look), and every other node that {@code repmgr.nodes} lists, asked directly over connections of their
 * own, in parallel, each within the timeout. Each server is asked the same one question: is it in
 * recovery, and if not, its current timeline (from the WAL position, which changes at promotion; the
 * checkpoint's timeline lags by up to a checkpoint). Thread-safe.
 */
public final class ClusterTruth implements TruthSource {
    /** A primary's current timeline: the first 8 hex digits of the name of the WAL file it writes. */
    static final String PRIMARY_TIMELINE = "('x' || '00000000' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))"
            + "::bit(64)::bigint";
    /** One round trip: the role, and a primary's current timeline (the first 8 hex digits of its WAL file). */
    static final String QUESTION = "SELECT r, CASE WHEN r THEN 0 ELSE " + PRIMARY_TIMELINE
            + " END FROM pg_is_in_recovery() r";
    private static final String NODES = "SELECT node_id, node_name, conninfo, type = 'witness' FROM repmgr.nodes "
            + "ORDER BY node_id";
    /** A standby's repmgrd, from repmgr's shared memory: running, paused, its pid, whom it watches, since when. */
    static final String WATCH = "SELECT repmgr.repmgrd_is_running(), repmgr.repmgrd_is_paused(), "
            + "repmgr.get_repmgrd_pid(), repmgr.get_upstream_node_id(), repmgr.get_upstream_last_seen()";

    /** Who streams from this primary now (repmgr sets application_name to the node's name). */
    static final String STREAMING = "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'";

    /**
     * Whom a standby's WAL receiver streams from, as the standby says it: the primary's walsender may show a
     * standby "streaming" for up to wal_sender_timeout after its connection died unseen (no FIN came).
     */
    static final String RECEIVING = "SELECT status, sender_host, sender_port FROM pg_stat_wal_receiver";

    private final int selfId;
    private final Conninfo local;
    private final Duration timeout;
    private final Duration pauseAfter;
    private final Consumer<String> log;
    private final ExecutorService askers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vip-truth-peer");
        t.setDaemon(true);
        return t;
    });

    // guarded by localLock
    private final Object localLock = new Object();
    private Connection localConnection;
    private java.sql.PreparedStatement localQuestion; // prepared once per connection: a look is one round trip

    // written under localLock, read without it (a hung local server holds it for a timeout)
    private volatile String selfName;
    private volatile boolean localAnswered = true; // at its last ask (true before the first)
    private volatile long ownTimeline; // its timeline when it last answered; 0 when that was as a standby
    private volatile String selfSender; // HOST:PORT of this node's conninfo in repmgr.nodes, as a standby's
                                        // pg_stat_wal_receiver names it when it streams from us; null unknown

    // guarded by peersLock
    private final Object peersLock = new Object();
    private final Map<Integer, Peer> peers = new HashMap<>();
    private String peerListProblem;

    private volatile List<Node> lastPeers = List.of();
    private volatile long lastAskedNanos;

    static final class Peer {
        final int id;
        final String name;
        final String conninfo;
        final boolean witness; // repmgr's witness: not in recovery, yet never a primary of ours
        Connection connection; // used by one asker at a time (peersLock is held while they run)
        int repmgrdPid; // its repmgrd's pid at the last look (0: none): a new one has not looked yet
        long unlookedSince; // nanoTime of the first look of a run in which its repmgrd ran but had not looked (a
                            // look it does not answer goes on with it); 0 once it looked, or none runs
        long silentSince; // nanoTime since when it has not answered at all (a timeout, no route); 0 while it does
        long followingSince; // nanoTime of the first look of an unbroken run in which it answered as a standby
                             // and streamed from us; 0 when the last look did not find it so
        boolean receiving; // at the last look its WAL receiver said it streams from us (its side of the stream)

        Peer(int id, String name, String conninfo, boolean witness) {
            this.id = id;
            this.name = name;
            this.conninfo = conninfo;
            this.witness = witness;
        }
    }

    /**
     * @param timeout each connection's connect and read timeout (pgjdbc counts whole seconds, at least 1)
     * @param pauseAfter a look at the peers that comes longer than this after the last one ended breaks
     *                   every run of looks "without a gap": nobody looked meanwhile (this daemon or its
     *                   host was paused, a VM frozen), and a standby seen streaming before and after may
     *                   have been promoting in between
     */
    public ClusterTruth(int selfId, Conninfo local, Duration timeout, Duration pauseAfter, Consumer<String> log) {
        this.selfId = selfId;
        this.local = local;
        this.timeout = timeout;
        this.pauseAfter = pauseAfter;
        this.log = log;
        this.selfName = "node " + selfId;
    }

    @Override
    public Truth observe(boolean askPeers) {
        long began = System.nanoTime();
        if (askPeers && !localAnswered) {
            return observeBeside(began);
        }
        Node self = askLocal();
        if (askPeers) {
            // a local server that did not answer just now would not list the nodes either: a hung one would
            // cost another timeout before the peers are asked (the look that may find another primary)
            askPeers(began, self.primary(), self.role() != Truth.Role.UNREACHABLE);
        }
        return new Truth(self, lastPeers, askPeers);
    }

    /**
     * A look when the local server did not answer at the last one (hung, or down): it is asked again while
     * the peers are (the last list; its streaming unknown, as when it does not answer), and a peer that is a
     * primary on a higher timeline than the local server's when it last answered as one ends the look
     * without its answer. Whatever the local server would say then (a stale primary, a standby, nothing),
     * this node is not the rightful primary: waiting for a hung server's timeout only kept the VIP on it
     * that much longer. A local server that answers as a primary meanwhile gets the usual look at the peers.
     */
    private Truth observeBeside(long began) {
        Future<Node> pending;
        try {
            pending = askers.submit(this::askLocal);
        } catch (RejectedExecutionException e) { // closed: the daemon stops, this look decides nothing
            return new Truth(askLocal(), lastPeers, false);
        }
        askPeers(began, false, false);
        List<Node> peersNow = lastPeers;
        Node above = higherPrimary(ownTimeline, peersNow);
        if (above != null && !pending.isDone()) {
            return new Truth(Node.unreachable(selfId, selfName, "has not answered yet, as at the last look, and "
                    + above + " is on a higher timeline than ours (" + ownTimeline + ")"), peersNow, true);
        }
        Node self;
        try {
            self = pending.get();
        } catch (ExecutionException e) {
            self = Node.unreachable(selfId, selfName, "did not answer: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            self = Node.unreachable(selfId, selfName, "not asked: interrupted");
        }
        if (self.primary()) {
            askPeers(System.nanoTime(), true, true); // answering again: the list and who streams from it
        }
        return new Truth(self, lastPeers, true);
    }

    /**
     * A peer that is a primary on a timeline higher than {@code ownTimeline} (this node's server's when it
     * last answered as a primary; 0 when it did not), or null. Timelines only grow, by a promotion, and a
     * server that answered as a primary must become a standby before it is promoted again; with no
     * timeline of our own known (0), nothing is higher for sure.
     */
    static Node higherPrimary(long ownTimeline, List<Node> peers) {
        if (ownTimeline <= 0) {
            return null;
        }
        return peers.stream().filter(n -> n.primary() && n.timeline() > ownTimeline).findFirst().orElse(null);
    }

    /** Why the peers could not be listed the last time, or null. */
    public String peerListProblem() {
        synchronized (peersLock) {
            return peerListProblem;
        }
    }

    private Node askLocal() {
        synchronized (localLock) {
            try {
                if (localConnection == null) {
                    localConnection = PgConnections.open(local, timeout, "vip daemon");
                    localQuestion = localConnection.prepareStatement(QUESTION);
                }
                try (ResultSet r = localQuestion.executeQuery()) {
                    r.next();
                    Node n = r.getBoolean(1) ? Node.standby(selfId, selfName) : Node.primary(selfId, selfName, r.getLong(2));
                    ownTimeline = n.timeline();
                    localAnswered = true;
                    return n;
                }
            } catch (SQLException | RuntimeException e) {
                PgConnections.closeQuietly(localConnection);
                localConnection = null;
                localQuestion = null;
                localAnswered = false; // ownTimeline stays: the last one it answered with
                return Node.unreachable(selfId, selfName, "did not answer: " + Fence.firstLine(e.getMessage()));
            }
        }
    }

    /**
     * Lists the peers (from the local server's repmgr.nodes, when it answered; else the last list) and asks
     * each, unless someone did since we began.
     */
    private void askPeers(long began, boolean selfPrimary, boolean localAnswered) {
        synchronized (peersLock) {
            if (lastAskedNanos - began > 0) {
                return; // another thread asked them while we waited: that is fresh enough
            }
            if (breakRunsAfterPause(peers.values(), lastAskedNanos, began, pauseAfter)) {
                log.accept("no look at the cluster for " + (began - lastAskedNanos) / 1_000_000 + " ms (this daemon "
                        + "or its host was paused): whom it saw streaming before vouches for nothing now");
            }
            if (localAnswered) {
                listPeers();
            }
            Set<String> streaming = selfPrimary ? streaming() : Set.of();
            List<Peer> asked = List.copyOf(peers.values());
            List<Node> answers = AskAll.ask(askers, asked, p -> askPeer(p, began),
                    timeout.plusMillis(1500), p -> silence(p, "no answer in time", began));
            List<Node> out = new ArrayList<>();
            for (int i = 0; i < asked.size(); i++) {
                out.add(followed(asked.get(i), answers.get(i), streaming, began));
            }
            out.sort((a, b) -> Integer.compare(a.id(), b.id()));
            lastPeers = List.copyOf(out);
            lastAskedNanos = System.nanoTime();
        }
    }

    private void listPeers() {
        Map<Integer, String[]> listed = new HashMap<>(); // name, conninfo, "t" for a witness
        synchronized (localLock) {
            try {
                if (localConnection == null) {
                    localConnection = PgConnections.open(local, timeout, "vip daemon");
                    localQuestion = localConnection.prepareStatement(QUESTION);
                }
                try (Statement s = localConnection.createStatement(); ResultSet r = s.executeQuery(NODES)) {
                    while (r.next()) {
                        listed.put(r.getInt(1), new String[] {r.getString(2), r.getString(3), r.getBoolean(4) ? "t" : ""});
                    }
                }
            } catch (SQLException e) {
                // the local server is down (or has no repmgr metadata): keep the last list
                String problem = "cannot list the nodes (repmgr.nodes): " + Fence.firstLine(e.getMessage());
                if (!problem.equals(peerListProblem)) {
                    log.accept(problem + ": asking the last known ones");
                }
                peerListProblem = problem;
                return;
            }
        }
        peerListProblem = null;
        String[] me = listed.remove(selfId);
        if (me != null) {
            synchronized (localLock) {
                selfName = me[0];
            }
            selfSender = sender(me[1]);
        }
        peers.values().removeIf(p -> {
            String[] now = listed.get(p.id);
            boolean gone = now == null || !now[1].equals(p.conninfo) || p.witness != now[2].equals("t");
            if (gone) {
                PgConnections.closeQuietly(p.connection);
            }
            return gone;
        });
        listed.forEach((id, v) -> peers.computeIfAbsent(id, k -> new Peer(id, v[0], v[1], v[2].equals("t"))));
    }

    /** Who streams from the local server now; empty when it cannot say (then nobody vouches for us). */
    private Set<String> streaming() {
        synchronized (localLock) {
            if (localConnection == null) {
                return Set.of();
            }
            Set<String> out = new HashSet<>();
            try (Statement s = localConnection.createStatement(); ResultSet r = s.executeQuery(STREAMING)) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
                return out;
            } catch (SQLException e) {
                return Set.of(); // the next look asks again; the local question reports a dead server
            }
        }
    }

    /**
     * A look begun at {@code began}, more than {@code pauseAfter} after the last one ended, ends every
     * peer's run of looks in which it streamed from us (the next look starts a new one); true when it did.
     */
    static boolean breakRunsAfterPause(Collection<Peer> peers, long lastEnded, long began, Duration pauseAfter) {
        if (lastEnded == 0 || began - lastEnded <= pauseAfter.toNanos()) {
            return false;
        }
        peers.forEach(p -> p.followingSince = 0);
        return true;
    }

    /** {@code n} with how long, without a gap, it has answered us as a standby and streamed from us. */
    static Node followed(Peer p, Node n, Set<String> streaming, long began) {
        if (n.role() != Truth.Role.STANDBY || !streaming.contains(p.name) || !p.receiving) {
            p.followingSince = 0;
            return n;
        }
        if (p.followingSince == 0) {
            p.followingSince = began == 0 ? 1 : began;
        }
        return n.following(Duration.ofNanos(Math.max(1, System.nanoTime() - p.followingSince)));
    }

    /** HOST:PORT of a conninfo, as pg_stat_wal_receiver's sender_host and sender_port give it; null if none. */
    static String sender(String conninfo) {
        try {
            Map<String, String> v = Conninfo.parse(conninfo).values();
            String host = v.getOrDefault("host", v.get("hostaddr"));
            return host == null ? null : host + ":" + v.getOrDefault("port", "5432");
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Whether the standby's WAL receiver says it streams from {@code sender} (HOST:PORT): its own side of
     * the stream, which a dead connection ends at once, unlike our walsender's. False when it cannot say
     * (no right to read the sender, which needs pg_read_all_stats): then it vouches for nothing.
     */
    private static boolean receivesFrom(Connection c, String sender) {
        if (sender == null) {
            return false;
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(RECEIVING)) {
            return r.next() && "streaming".equals(r.getString(1))
                    && sender.equals(r.getString(2) + ":" + r.getInt(3));
        } catch (SQLException e) {
            return false;
        }
    }

    /** The peer did not answer at all: silent since the first look that found it so (at that look's start). */
    private static Node silence(Peer p, String why, long began) {
        if (p.silentSince == 0) {
            p.silentSince = began == 0 ? 1 : began;
        }
        return Node.silent(p.id, p.name, why, Duration.ofNanos(Math.max(1, System.nanoTime() - p.silentSince)));
    }

    private Node askPeer(Peer p, long began) {
        try {
            if (p.connection == null) {
                p.connection = PgConnections.open(Conninfo.parse(p.conninfo), timeout, "vip daemon");
            }
            p.receiving = false;
            Node n = ask(p.connection, p.id, p.name);
            p.silentSince = 0;
            if (p.witness || n.primary()) {
                p.unlookedSince = 0;
                return p.witness ? Node.witness(p.id, p.name) : n;
            }
            p.receiving = receivesFrom(p.connection, selfSender);
            return Node.standby(p.id, p.name, watch(p, began));
        } catch (SQLException | RuntimeException e) {
            PgConnections.closeQuietly(p.connection);
            p.connection = null;
            // unlookedSince goes on: no word from its repmgrd meanwhile either
            String why = "did not answer: " + Fence.firstLine(e.getMessage());
            if (silent(e)) {
                return silence(p, why, began);
            }
            p.silentSince = 0;
            return Node.unreachable(p.id, p.name, why);
        }
    }

    private static Node ask(Connection c, int id, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(QUESTION)) {
            r.next();
            return r.getBoolean(1) ? Node.standby(id, name) : Node.primary(id, name, r.getLong(2));
        }
    }

    /**
     * What the standby's repmgrd says of its upstream; null when none runs. {@link Truth.Watch#notYetLooked}
     * when it runs but its figures say nothing yet: it is new since the last look (they may still be its
     * predecessor's), or it has not reached its upstream since its server started (repmgr's -1s).
     */
    private static Truth.Watch watch(Peer p, long began) {
        try (Statement s = p.connection.createStatement(); ResultSet r = s.executeQuery(WATCH)) {
            r.next();
            int pid = r.getBoolean(1) ? r.getInt(3) : 0;
            boolean isNew = pid != p.repmgrdPid;
            p.repmgrdPid = pid;
            if (pid == 0) {
                p.unlookedSince = 0;
                return null;
            }
            boolean paused = r.getBoolean(2);
            int upstream = r.getObject(4) == null ? -1 : r.getInt(4);
            int lastSeen = r.getInt(5);
            if (!isNew && upstream >= 0 && lastSeen >= 0) {
                p.unlookedSince = 0;
                return new Truth.Watch(upstream, lastSeen, paused);
            }
            if (p.unlookedSince == 0) {
                p.unlookedSince = began == 0 ? 1 : began;
            }
            return Truth.Watch.notYetLooked(paused, Duration.ofNanos(Math.max(1, System.nanoTime() - p.unlookedSince)));
        } catch (SQLException e) {
            p.repmgrdPid = 0; // no repmgr extension, or no right to call it: nothing known
            p.unlookedSince = 0;
            return null;
        }
    }

    /**
     * No answer at all from the host (a timeout, no route; pgjdbc's own "Connection attempt timed out."):
     * unlike a refusal or a server's error, which only a live host sends.
     */
    static boolean silent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.net.NoRouteToHostException) {
                return true;
            }
            String m = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof java.net.ConnectException) {
                return !m.contains("refused");
            }
            if (m.contains("timed out")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        askers.shutdownNow();
        synchronized (localLock) {
            PgConnections.closeQuietly(localConnection);
            localConnection = null;
            localQuestion = null;
        }
        synchronized (peersLock) {
            peers.values().forEach(p -> PgConnections.closeQuietly(p.connection));
            peers.clear();
        }
    }
}
