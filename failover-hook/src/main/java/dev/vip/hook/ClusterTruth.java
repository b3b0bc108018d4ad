package dev.vip.hook;

import dev.vip.core.daemon.Truth;
import dev.vip.core.daemon.Truth.Node;
import dev.vip.core.daemon.TruthSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The daemon's {@link TruthSource}: this node's PostgreSQL over a connection kept warm, and every other
 * node that {@code repmgr.nodes} lists, asked directly over connections of their own, in parallel, each
 * within the timeout. Each server is asked the same first question: is it in recovery, and if not, its
 * current timeline (from the WAL position, which changes at promotion; the checkpoint's timeline lags by
 * up to a checkpoint). A look is one round trip per server: the local server's statements ({@link #LOCAL_LOOK})
 * and each peer's ({@link #PEER_LOOK}) go together, prepared once per connection. A server without
 * repmgr's metadata (or that refuses one of them) answers with an error: it is asked them one at a time,
 * as before. Thread-safe.
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

    /** The local server's look at the peers, one round trip: its role, who streams from it, repmgr's node list. */
    static final String LOCAL_LOOK = QUESTION + "; " + STREAMING + "; " + NODES;
    /** A peer's look, one round trip: its role, whom its WAL receiver streams from, what its repmgrd says. */
    static final String PEER_LOOK = QUESTION + "; " + RECEIVING + "; " + WATCH;

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

    // guarded by askLock: the local server's full look that looks may share (see sharedAsk)
    private final Object askLock = new Object();
    private LocalAsk nextAsk;

    // guarded by localLock
    private final Object localLock = new Object();
    private Connection localConnection;
    private PreparedStatement localQuestion; // prepared once per connection
    private PreparedStatement localLook;

    // written under localLock, read without it (a hung local server holds it for a timeout)
    private volatile String selfName;
    private volatile boolean localAnswered = true; // at its last ask (true before the first)
    private volatile long ownTimeline; // its timeline when it last answered; 0 when that was as a standby
    private volatile String selfSender; // HOST:PORT of this node's conninfo in repmgr.nodes, as a standby's
                                        // pg_stat_wal_receiver names it when it streams from us; null unknown
    private volatile LocalView localView = LocalView.NONE; // from the local server's last look at the peers

    /**
     * What the local server said besides its role at its last look at the peers: who streams from it, and
     * repmgr's node list (null, with why, when it could not be read).
     */
    private record LocalView(Set<String> streaming, Map<Integer, String[]> listed, String problem) {
        static final LocalView NONE = new LocalView(Set.of(), null, "the local server did not answer");
    }

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
        PreparedStatement look; // PEER_LOOK on this connection
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
        Node self = askPeers ? answer(sharedAsk(began, false)) : askLocal(false);
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
            pending = sharedAsk(began, true);
        } catch (RejectedExecutionException e) { // closed: the daemon stops, this look decides nothing
            return new Truth(askLocal(false), lastPeers, false);
        }
        askPeers(began, false, false);
        List<Node> peersNow = lastPeers;
        Node above = higherPrimary(ownTimeline, peersNow);
        if (above != null && !pending.isDone()) {
            return new Truth(Node.unreachable(selfId, selfName, "has not answered yet, as at the last look, and "
                    + above + " is on a higher timeline than ours (" + ownTimeline + ")"), peersNow, true);
        }
        Node self = answer(pending);
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

    /**
     * The local server's full look for a look at the peers that began at {@code began}: the one not yet
     * under way, or under way since then, when there is one (its answer is as fresh as this look's own
     * would be); else a new one, which the looks that come before it asks will share. So at most two are
     * ever pending, one asking and one waiting: while the server hangs, every look costs at most two of
     * its timeouts, however many VIPs look and however often (each asking on its own would queue one more
     * timeout per look). A new one runs in this thread, or with {@code beside} in another while this
     * thread asks the peers.
     */
    private Future<Node> sharedAsk(long began, boolean beside) {
        LocalAsk ask;
        synchronized (askLock) {
            ask = nextAsk;
            if (ask != null && ask.sharedWith(began)) {
                return ask.answer;
            }
            ask = new LocalAsk();
            if (beside) {
                askers.execute(ask.answer); // RejectedExecutionException: closed
            }
            nextAsk = ask;
        }
        if (!beside) {
            ask.answer.run();
        }
        return ask.answer;
    }

    /** One full look of the local server, which every look that began before it asked may share. */
    private final class LocalAsk implements Callable<Node> {
        final FutureTask<Node> answer = new FutureTask<>(this);
        private volatile boolean asking;
        private volatile long asked; // System.nanoTime() when it began asking (it holds localLock then)

        @Override
        public Node call() {
            synchronized (localLock) {
                asked = System.nanoTime();
                asking = true;
                return askLocal(true);
            }
        }

        /** Whether a look that began at {@code began} may take this one's answer as its own. */
        boolean sharedWith(long began) {
            return !answer.isDone() && (!asking || asked - began >= 0);
        }
    }

    private Node answer(Future<Node> ask) {
        try {
            return ask.get();
        } catch (ExecutionException e) {
            return Node.unreachable(selfId, selfName, "did not answer: " + e.getCause());
        } catch (CancellationException e) {
            return Node.unreachable(selfId, selfName, "not asked: the daemon stops");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Node.unreachable(selfId, selfName, "not asked: interrupted");
        }
    }

    /**
     * The local server's answer; with {@code full} (a look at the peers follows) who streams from it and
     * repmgr's node list too, kept in {@link #localView}.
     */
    private Node askLocal(boolean full) {
        synchronized (localLock) {
            try {
                connectLocal();
                Node n = full ? lookLocal() : role(localQuestion.executeQuery(), selfId, selfName);
                ownTimeline = n.timeline();
                localAnswered = true;
                return n;
            } catch (SQLException | RuntimeException e) {
                PgConnections.closeQuietly(localConnection);
                localConnection = null;
                localQuestion = null;
                localLook = null;
                localAnswered = false; // ownTimeline stays: the last one it answered with
                if (full) {
                    localView = LocalView.NONE;
                }
                return Node.unreachable(selfId, selfName, "did not answer: " + Fence.firstLine(e.getMessage()));
            }
        }
    }

    private void connectLocal() throws SQLException {
        if (localConnection == null) {
            localConnection = PgConnections.open(local, timeout, "vip daemon");
            localQuestion = localConnection.prepareStatement(QUESTION);
            localLook = localConnection.prepareStatement(LOCAL_LOOK);
        }
    }

    /** {@link #LOCAL_LOOK} in one round trip, or its statements one at a time when the server refuses one. */
    private Node lookLocal() throws SQLException {
        Node n;
        Set<String> streaming;
        Map<Integer, String[]> listed;
        try {
            localLook.execute();
            n = role(localLook.getResultSet(), selfId, selfName);
            streaming = streaming(next(localLook));
            listed = listed(next(localLook));
        } catch (SQLException e) {
            if (localConnection.isClosed()) {
                throw e; // no answer: the connection is gone
            }
            // the server answered with an error: no repmgr metadata, or no right to read it
            n = role(localQuestion.executeQuery(), selfId, selfName);
            try {
                streaming = streaming(query(localConnection, STREAMING));
            } catch (SQLException again) {
                streaming = Set.of(); // nobody vouches for us this look
            }
            try {
                listed = listed(query(localConnection, NODES));
            } catch (SQLException again) {
                localView = new LocalView(streaming, null, "cannot list the nodes (repmgr.nodes): "
                        + Fence.firstLine(again.getMessage()));
                return n;
            }
        }
        localView = new LocalView(streaming, listed, null);
        return n;
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
            LocalView view = localView;
            if (localAnswered) {
                listPeers(view);
            }
            Set<String> streaming = selfPrimary ? view.streaming() : Set.of();
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

    /** Updates the peers from the node list the local server gave at its last look. */
    private void listPeers(LocalView view) {
        if (view.listed() == null) {
            // the local server is down (or has no repmgr metadata): keep the last list
            if (!view.problem().equals(peerListProblem)) {
                log.accept(view.problem() + ": asking the last known ones");
            }
            peerListProblem = view.problem();
            return;
        }
        peerListProblem = null;
        Map<Integer, String[]> listed = new HashMap<>(view.listed());
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

    /** Node id to name, conninfo and "t" for a witness, from {@link #NODES}. */
    private static Map<Integer, String[]> listed(ResultSet rows) throws SQLException {
        Map<Integer, String[]> listed = new HashMap<>();
        try (ResultSet r = rows) {
            while (r.next()) {
                listed.put(r.getInt(1), new String[] {r.getString(2), r.getString(3), r.getBoolean(4) ? "t" : ""});
            }
        }
        return listed;
    }

    /** Who streams from the local server, from {@link #STREAMING}. */
    private static Set<String> streaming(ResultSet rows) throws SQLException {
        Set<String> out = new HashSet<>();
        try (ResultSet r = rows) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
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
     * Whether the standby's WAL receiver says it streams from {@code sender} (HOST:PORT), from
     * {@link #RECEIVING}: its own side of the stream, which a dead connection ends at once, unlike our
     * walsender's. False when it cannot say (no right to read the sender, which needs pg_read_all_stats):
     * then it vouches for nothing.
     */
    private static boolean receivesFrom(Rows rows, String sender) {
        try (ResultSet r = rows.get()) {
            return sender != null && r.next() && "streaming".equals(r.getString(1))
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
                p.look = p.connection.prepareStatement(PEER_LOOK);
            }
            p.receiving = false;
            try {
                p.look.execute();
                return answered(p, p.look.getResultSet(), () -> next(p.look), () -> next(p.look), began);
            } catch (SQLException e) {
                if (p.connection.isClosed()) {
                    throw e; // no answer: the connection is gone
                }
                // the server answered with an error (no repmgr extension there, or no right to call it): one
                // statement at a time, each that fails saying nothing
                Connection c = p.connection;
                return answered(p, query(c, QUESTION), () -> query(c, RECEIVING), () -> query(c, WATCH), began);
            }
        } catch (SQLException | RuntimeException e) {
            PgConnections.closeQuietly(p.connection);
            p.connection = null;
            p.look = null;
            // unlookedSince goes on: no word from its repmgrd meanwhile either
            String why = "did not answer: " + Fence.firstLine(e.getMessage());
            if (silent(e)) {
                return silence(p, why, began);
            }
            p.silentSince = 0;
            return Node.unreachable(p.id, p.name, why);
        }
    }

    /** The peer's answer from the results of {@link #PEER_LOOK}'s statements, read in their order. */
    private Node answered(Peer p, ResultSet role, Rows receiving, Rows watch, long began) throws SQLException {
        Node n = role(role, p.id, p.name);
        p.silentSince = 0;
        if (p.witness || n.primary()) {
            p.unlookedSince = 0;
            return p.witness ? Node.witness(p.id, p.name) : n;
        }
        p.receiving = receivesFrom(receiving, selfSender);
        return Node.standby(p.id, p.name, watch(p, watch, began));
    }

    /** The answer to {@link #QUESTION}: a standby, or a primary on its timeline. */
    private static Node role(ResultSet rows, int id, String name) throws SQLException {
        try (ResultSet r = rows) {
            r.next();
            return r.getBoolean(1) ? Node.standby(id, name) : Node.primary(id, name, r.getLong(2));
        }
    }

    /** The rows of one statement, or an error. */
    private interface Rows {
        ResultSet get() throws SQLException;
    }

    /** The next result of a statement that ran several. */
    private static ResultSet next(PreparedStatement s) throws SQLException {
        s.getMoreResults();
        return s.getResultSet();
    }

    /** One statement's rows; closing them closes the statement. */
    private static ResultSet query(Connection c, String sql) throws SQLException {
        Statement s = c.createStatement();
        try {
            s.closeOnCompletion();
            return s.executeQuery(sql);
        } catch (SQLException e) {
            s.close();
            throw e;
        }
    }

    /**
     * What the standby's repmgrd says of its upstream, from {@link #WATCH}; null when none runs.
     * {@link Truth.Watch#notYetLooked} when it runs but its figures say nothing yet: it is new since the
     * last look (they may still be its predecessor's), or it has not reached its upstream since its server
     * started (repmgr's -1s).
     */
    private static Truth.Watch watch(Peer p, Rows rows, long began) {
        try (ResultSet r = rows.get()) {
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
        synchronized (askLock) {
            if (nextAsk != null) {
                nextAsk.answer.cancel(false); // one the pool will never run: its looks stop waiting
            }
        }
        synchronized (localLock) {
            PgConnections.closeQuietly(localConnection);
            localConnection = null;
            localQuestion = null;
            localLook = null;
        }
        synchronized (peersLock) {
            peers.values().forEach(p -> PgConnections.closeQuietly(p.connection));
            peers.clear();
        }
    }
}
