package dev.vip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vip.netlink.ErrnoException;
import dev.vip.netlink.MacAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watcher's logic on a fake host: scripted captures (frames, then an error or the end), no root,
 * no pcap, no sleeps (the backoff pauses are recorded). The last capture stops the watcher when its
 * frames are through, as a signal handler would.
 */
class WatcherTest {
    private static final MacAddress OURS = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress OURS_TOO = MacAddress.parse("02:00:00:00:00:09"); // another of our NICs
    private static final MacAddress THEIRS = MacAddress.parse("02:00:00:00:00:02");
    private static final Vip VIP = Vip.of("eth0", "198.51.100.10/32", "eth0:0");
    private static final Vip VIP6 = Vip.of("eth0", "2001:db8::10/64", null);

    /** One scripted capture: it fails to open, or hands out frames and then fails or ends. */
    private record Script(IOException openError, List<byte[]> frames, IOException endError) {
    }

    private final Deque<Script> scripts = new ArrayDeque<>();
    private final List<String> told = new ArrayList<>();
    private final List<Long> pauses = new ArrayList<>();
    private final List<Sighting> handled = new ArrayList<>();
    private Watcher watcher;
    private int captures;
    private int closed;

    private final Watcher.Host host = new Watcher.Host() {
        @Override
        public Set<MacAddress> localMacs() {
            return Set.of(OURS, OURS_TOO);
        }

        @Override
        public FrameCapture capture(Vip vip) throws IOException {
            Script s = scripts.poll();
            if (s == null) {
                throw new AssertionError("opened once too often");
            }
            if (s.openError() != null) {
                throw s.openError();
            }
            captures++;
            boolean last = scripts.isEmpty();
            return new FrameCapture() {
                private boolean stopped;

                @Override
                public void receive(Consumer<byte[]> frames) throws IOException {
                    for (byte[] f : s.frames()) {
                        if (stopped) {
                            return;
                        }
                        frames.accept(f);
                    }
                    if (s.endError() != null) {
                        throw s.endError();
                    }
                    if (last) {
                        stopWatcher();
                    }
                }

                @Override
                public void stop() {
                    stopped = true;
                }

                @Override
                public void close() {
                    closed++;
                }
            };
        }

        @Override
        public void warmUp(Vip vip) {
            told.add("warmed up");
        }

        @Override
        public void pause(Duration d) {
            pauses.add(d.toMillis());
        }
    };

    private final Watcher.Listener listener = new Watcher.Listener() {
        @Override
        public void watching(String interfaceName, Set<MacAddress> ownMacs) {
            told.add("watching " + interfaceName);
        }

        @Override
        public void claimed(Sighting claim, boolean deleted) {
            told.add("claimed by " + claim.mac() + (deleted ? ", deleted" : ""));
        }

        @Override
        public void reopening(String reason, Duration delay) {
            told.add("reopening in " + delay.toMillis() + " ms: " + reason);
        }

        @Override
        public void failed(String what, IOException error) {
            told.add("failed: " + what + ": " + error.getMessage());
        }
    };

    private void stopWatcher() {
        try {
            watcher.stop(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted(); // stop() interrupts the watcher's thread: here, the test's
    }

    private void frames(byte[]... frames) {
        scripts.add(new Script(null, List.of(frames), null));
    }

    private void openFails(IOException e) {
        scripts.add(new Script(e, List.of(), null));
    }

    private void run(Vip vip, Watcher.ClaimHandler handler) throws IOException {
        watcher = new Watcher(vip, host, listener, handler);
        watcher.run();
    }

    private void run(Vip vip) throws IOException {
        run(vip, claim -> {
            handled.add(claim);
            return true;
        });
    }

    private static Inet4Address ip4(String s) throws IOException {
        return (Inet4Address) InetAddress.getByName(s);
    }

    @Test
    void anotherHostsAnnouncementOfTheVipIsHandledAndNothingElseIs() throws IOException {
        Inet4Address vip = ip4("198.51.100.10");
        frames(Frames.arpAnnouncementRequest(OURS, vip),                 // ours
                Frames.arpAnnouncementReply(OURS_TOO, vip),              // ours, from another NIC
                Frames.arpAnnouncementRequest(THEIRS, ip4("198.51.100.11")), // another address
                Frames.arpProbe(THEIRS, vip),                            // a probe claims nothing
                new byte[] {1, 2, 3},                                    // a runt
                new byte[60],                                            // zeros
                Frames.arpAnnouncementRequest(THEIRS, vip));             // the one claim
        run(VIP);
        assertEquals(1, handled.size());
        assertEquals(THEIRS, handled.get(0).mac());
        assertEquals(List.of("warmed up", "watching eth0", "claimed by " + THEIRS + ", deleted"), told);
        assertEquals(1, closed);
    }

    @Test
    void aFrameThisHostSentIsOursWhateverMacItAnnounces() throws IOException {
        Inet4Address vip = ip4("198.51.100.10");
        byte[] relayed = Frames.arpAnnouncementRequest(THEIRS, vip);
        System.arraycopy(OURS.toBytes(), 0, relayed, 6, 6); // the Ethernet source: one of our NICs
        frames(relayed);
        run(VIP);
        assertEquals(List.of(), handled);
    }

    @Test
    void anIpv6VipIsClaimedByAnUnsolicitedNeighbourAdvertisement() throws IOException {
        Inet6Address vip = (Inet6Address) InetAddress.getByName("2001:db8::10");
        frames(Frames.unsolicitedNeighborAdvertisement(OURS, vip),
                Frames.neighborSolicitationProbe(THEIRS, vip),
                Frames.unsolicitedNeighborAdvertisement(THEIRS, vip));
        run(VIP6);
        assertEquals(1, handled.size());
        assertEquals(vip, handled.get(0).address());
    }

    @Test
    void aFailedDeletionIsToldAndTheWatcherGoesOn() throws IOException {
        Inet4Address vip = ip4("198.51.100.10");
        frames(Frames.arpAnnouncementRequest(THEIRS, vip), Frames.arpAnnouncementRequest(THEIRS, vip));
        int[] calls = {0};
        run(VIP, claim -> {
            if (calls[0]++ == 0) {
                throw new IOException("Operation not permitted");
            }
            return false; // not here any more
        });
        assertEquals(List.of("warmed up", "watching eth0",
                "failed: delete 198.51.100.10/32 from eth0: Operation not permitted",
                "claimed by " + THEIRS), told);
    }

    @Test
    void itReopensWithADoublingBackoffThatResetsOnceWatching() throws IOException {
        openFails(new IOException("no such device"));
        openFails(new IOException("no such device"));
        openFails(new IOException("no such device"));
        scripts.add(new Script(null, List.of(), new IOException("capture on eth0 ended")));
        frames();
        run(VIP);
        assertEquals(List.of(100L, 200L, 400L, 100L), pauses);
        assertEquals(2, captures);
        assertEquals(2, closed);
        assertEquals("reopening in 100 ms: capture on eth0 ended", told.get(5));
    }

    @Test
    void theBackoffStopsGrowingAtTwoSeconds() throws IOException {
        for (int i = 0; i < 8; i++) {
            openFails(new IOException("down"));
        }
        frames();
        run(VIP);
        assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 2000L, 2000L, 2000L), pauses);
    }

    @Test
    void withoutPermissionItStopsAtOnce() {
        ErrnoException eperm = new ErrnoException("pcap: open eth0", 1);
        openFails(eperm);
        IOException thrown = assertThrows(IOException.class, () -> run(VIP));
        assertSame(eperm, thrown);
        assertEquals(List.of(), pauses);
        assertFalse(told.contains("watching eth0"));
    }
}
