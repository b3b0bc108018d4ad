package dev.vip.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vip.core.daemon.Truth;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A peer that says nothing at all (cut off) is told from one that refuses (alive, its server down). */
class ClusterTruthTest {
    @Test
    void aTimeoutOrNoRouteIsSilence() {
        assertTrue(ClusterTruth.silent(new SQLException("The connection attempt failed.",
                new SocketTimeoutException("connect timed out"))));
        assertTrue(ClusterTruth.silent(new SQLException("An I/O error occurred while sending to the backend.",
                new SocketTimeoutException("Read timed out"))));
        assertTrue(ClusterTruth.silent(new SQLException("The connection attempt failed.",
                new NoRouteToHostException("No route to host"))));
        assertTrue(ClusterTruth.silent(new SQLException("Connection attempt timed out."))); // pgjdbc's loginTimeout
    }

    @Test
    void aRefusalOrAServerErrorIsAnAnswer() {
        assertFalse(ClusterTruth.silent(new SQLException("Connection to 198.51.100.12:5432 refused.",
                new ConnectException("Connection refused"))));
        assertFalse(ClusterTruth.silent(new SQLException("FATAL: the database system is starting up")));
    }

    /**
     * A standby seen streaming from us at the look before a pause (the daemon or its host stopped) and at
     * the one after has not been seen streaming in between: its run starts again at the later look, so the
     * streaming rule cannot vouch for a standby whose repmgrd may have been promoting it meanwhile.
     */
    @Test
    void aPauseBetweenTwoLooksStartsEveryStreamingRunAgain() {
        long s = 1_000_000_000L;
        ClusterTruth.Peer n1 = new ClusterTruth.Peer(1, "n1", "host=198.51.100.11", false);
        Duration pauseAfter = Duration.ofSeconds(4);
        look(n1, 10 * s);                          // a run begins
        assertFalse(ClusterTruth.breakRunsAfterPause(List.of(n1), 12 * s, 13 * s, pauseAfter)); // 1 s: no pause
        assertEquals(10 * s, n1.followingSince);
        assertTrue(ClusterTruth.breakRunsAfterPause(List.of(n1), 13 * s, 25 * s, pauseAfter));  // 12 s unseen
        assertEquals(0, n1.followingSince);
        look(n1, 25 * s);                          // the run begins again at this look
        assertEquals(25 * s, n1.followingSince);
        assertFalse(ClusterTruth.breakRunsAfterPause(List.of(n1), 0, 25 * s, pauseAfter)); // the first look ever
    }

    /**
     * Our walsender may list a standby as streaming for up to wal_sender_timeout after its connection died
     * unseen (its FIN blocked, its server restarted behind a partition): only the standby's own WAL
     * receiver, streaming from us, makes a look count.
     */
    @Test
    void aStandbyFollowsUsOnlyWhenItsOwnReceiverStreamsFromUs() {
        long s = 1_000_000_000L;
        ClusterTruth.Peer n3 = new ClusterTruth.Peer(3, "n3", "host=198.51.100.13", false);
        look(n3, 10 * s);
        assertEquals(10 * s, n3.followingSince);
        n3.receiving = false; // our walsender still says streaming; its receiver does not
        assertTrue(ClusterTruth.followed(n3, Truth.Node.standby(3, "n3"), Set.of("n3"), 12 * s).following().isZero());
        assertEquals(0, n3.followingSince);
        look(n3, 14 * s);   // streaming again, from both sides: a new run
        assertEquals(14 * s, n3.followingSince);
    }

    @Test
    void theSenderAStandbyNamesIsTheHostAndPortOfOurConninfo() {
        assertEquals("198.51.100.11:5432", ClusterTruth.sender("host=198.51.100.11 user=repmgr dbname=repmgr"));
        assertEquals("db1.example:6432", ClusterTruth.sender("host=db1.example port=6432 dbname=repmgr"));
        assertEquals("2001:db8::11:5432", ClusterTruth.sender("hostaddr=2001:db8::11 dbname=repmgr"));
        assertNull(ClusterTruth.sender("dbname=repmgr"));
        assertNull(ClusterTruth.sender("host"));
    }

    /**
     * A hung local server's look ends without its answer only when a peer is a primary on a higher timeline
     * than ours when it last answered as a primary: then this node is not the rightful primary whatever
     * ours says once it answers. Not on our timeline (the lower id may be ours), nor when ours last
     * answered as a standby (it may have been promoted since, to any timeline).
     */
    @Test
    void onlyAPrimaryOnAHigherTimelineSettlesALookWithoutTheLocalAnswer() {
        List<Truth.Node> promoted = List.of(Truth.Node.standby(2, "n2"), Truth.Node.primary(3, "n3", 8));
        assertEquals(3, ClusterTruth.higherPrimary(7, promoted).id());
        assertNull(ClusterTruth.higherPrimary(8, promoted));        // our timeline: the ids decide
        assertNull(ClusterTruth.higherPrimary(9, promoted));        // we were ahead: n3 is the stale one
        assertNull(ClusterTruth.higherPrimary(0, promoted));        // we last answered as a standby
        assertNull(ClusterTruth.higherPrimary(7, List.of(Truth.Node.standby(2, "n2"),
                Truth.Node.unreachable(3, "n3", "did not answer"))));
    }

    /**
     * Six VIPs looking at once while the local server hangs (it takes connections and never answers) share
     * its asks: each ask costs a timeout, and six looks asking one after another would keep the last of them
     * waiting six timeouts (past a promotion, in the e2e). A look may share an ask under way only when it
     * asked after the look began, so two at most: one asking, one that the looks which came later share;
     * so too once it did not answer, when the looks ask it beside the peers.
     */
    @Test
    void looksAtAHungLocalServerShareItsAsks() throws Exception {
        List<Socket> taken = new CopyOnWriteArrayList<>();
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        taken.add(hung.accept()); // kept open, never answered
                    }
                } catch (IOException closed) {
                    // the test ends
                }
            });
            acceptor.start();
            ClusterTruth truth = new ClusterTruth(1, Conninfo.parse("host=127.0.0.1 port=" + hung.getLocalPort()
                    + " user=vip dbname=repmgr sslmode=disable"), Duration.ofSeconds(1), Duration.ofSeconds(60), m -> { });
            ExecutorService vips = Executors.newFixedThreadPool(6);
            try {
                List<Callable<Truth>> looks = Collections.nCopies(6, () -> truth.observe(true));
                // the first round asks in the looks' threads; the second beside the peers (it did not answer)
                for (String round : List.of("answering at the last look", "silent at the last look")) {
                    int before = taken.size();
                    for (Future<Truth> look : vips.invokeAll(looks)) {
                        assertEquals(Truth.Role.UNREACHABLE, look.get().self().role());
                    }
                    int asked = taken.size() - before;
                    assertTrue(asked <= 2, asked + " connections for 6 looks at once, the server " + round);
                }
            } finally {
                vips.shutdownNow();
                truth.close();
                for (Socket s : taken) {
                    s.close();
                }
            }
        }
    }

    /** One look at a peer that answered as a standby streaming from us, as both sides of the stream say. */
    private static void look(ClusterTruth.Peer p, long began) {
        p.receiving = true;
        ClusterTruth.followed(p, Truth.Node.standby(p.id, p.name), Set.of(p.name), began);
    }
}
