package dev.vip.core;

import dev.vip.netlink.MacAddress;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code vip del --watch}: listens on the VIP's interface only, for frames in which another host
 * announces the VIP, and deletes the VIP from this host when one comes. Frames from any of this host's
 * own MACs are ignored. It keeps watching afterwards (the VIP may come back), survives malformed frames
 * and the interface going away (reopening with backoff), and stops within a millisecond on {@link #stop()}.
 */
public final class Watcher {
    /** What the watcher tells its caller; called on the watcher's thread. */
    public interface Listener {
        void watching(String interfaceName, Set<MacAddress> ownMacs);

        /** A foreign host claimed the VIP; {@code deleted} says whether it was here and is now gone. */
        void claimed(Sighting claim, boolean deleted);

        void reopening(String reason, Duration delay);

        /** Deleting failed (privilege, kernel): the watcher goes on. */
        void failed(String what, IOException error);
    }

    /** What to do about a foreign claim; returns whether the VIP was deleted. */
    @FunctionalInterface
    public interface ClaimHandler {
        boolean onForeignClaim(Sighting claim) throws IOException;
    }

    /** What the watcher needs of the host: rtnetlink and pcap, or a test's fakes. */
    interface Host {
        /** This host's own MACs (announcements from them are ours). */
        Set<MacAddress> localMacs() throws IOException;

        /** A capture of the frames that may claim the VIP, on its interface. */
        FrameCapture capture(Vip vip) throws IOException;

        /** Loads what the first claim would (the VIP looked up once; see {@link Watcher#warmUp}). */
        void warmUp(Vip vip) throws IOException;

        /** Waits before reopening; {@link #stop} interrupts it. */
        void pause(Duration d);
    }

    /** The real host: rtnetlink through {@code addresses}, frames through libpcap. */
    private record RealHost(AddressManager addresses) implements Host {
        @Override
        public Set<MacAddress> localMacs() throws IOException {
            return addresses.localMacs();
        }

        @Override
        public FrameCapture capture(Vip vip) throws IOException {
            return PcapLink.open(vip.interfaceName(), CaptureFilters.claims(vip.prefix().address()));
        }

        @Override
        public void warmUp(Vip vip) throws IOException {
            addresses.find(vip);
        }

        @Override
        public void pause(Duration d) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                // stop() interrupts a pause; the loop checks the flag
            }
        }
    }

    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final Vip vip;
    private final Host host;
    private final Listener listener;
    private final ClaimHandler handler;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile FrameCapture current;
    private volatile Thread runner;

    /** A watcher that deletes the VIP (whatever its prefix) on a foreign claim, as {@code del --watch}. */
    public Watcher(Vip vip, AddressManager addresses, Listener listener) {
        this(vip, addresses, listener, null);
    }

    /**
     * @param addresses used on this watcher's thread only (local MACs, and deletion by default)
     * @param handler   decides and acts on a foreign claim; null to delete the VIP
     */
    public Watcher(Vip vip, AddressManager addresses, Listener listener, ClaimHandler handler) {
        this(vip, new RealHost(addresses), listener,
                handler != null ? handler : claim -> addresses.release(vip).changed());
    }

    /** A watcher on another host than this one's kernel and libpcap: a test's. */
    Watcher(Vip vip, Host host, Listener listener, ClaimHandler handler) {
        this.vip = vip;
        this.host = host;
        this.listener = listener;
        this.handler = handler;
    }

    /** Watches until {@link #stop()}. Throws only when it cannot start at all (no privilege). */
    public void run() throws IOException {
        runner = Thread.currentThread();
        warmUp();
        Duration backoff = FIRST_BACKOFF;
        try {
            while (!stopping) {
                Set<MacAddress> own;
                try {
                    own = host.localMacs();
                    current = host.capture(vip);
                } catch (dev.vip.netlink.ErrnoException e) {
                    if (Failure.notPermitted(e)) {
                        throw e; // EPERM: no amount of retrying helps
                    }
                    listener.reopening(e.getMessage(), backoff);
                    host.pause(backoff);
                    backoff = next(backoff);
                    continue;
                } catch (IOException e) {
                    listener.reopening(e.getMessage(), backoff);
                    host.pause(backoff);
                    backoff = next(backoff);
                    continue;
                }
                try {
                    if (stopping) {
                        break;
                    }
                    listener.watching(vip.interfaceName(), own);
                    backoff = FIRST_BACKOFF;
                    Set<MacAddress> ownMacs = own;
                    current.receive(frame -> onFrame(frame, ownMacs));
                } catch (IOException e) {
                    if (!stopping) {
                        listener.reopening(e.getMessage(), backoff);
                        host.pause(backoff);
                        backoff = next(backoff);
                    }
                } finally {
                    FrameCapture capture = current;
                    current = null;
                    capture.close();
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    /**
     * The first decode and the first netlink round trip load a few hundred classes (60-120 ms,
     * ../shared/FIELD-NOTES.md): pay for that now, not when the first claim arrives.
     */
    private void warmUp() throws IOException {
        MacAddress nobody = MacAddress.parse("02:00:00:00:00:00");
        try {
            FrameDecoder.decode(Frames.arpAnnouncementRequest(nobody,
                    (java.net.Inet4Address) java.net.InetAddress.getByName("192.0.2.1")));
            FrameDecoder.decode(Frames.unsolicitedNeighborAdvertisement(nobody,
                    (java.net.Inet6Address) java.net.InetAddress.getByName("2001:db8::1")));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        host.warmUp(vip);
    }

    private void onFrame(byte[] frame, Set<MacAddress> own) {
        Sighting s;
        try {
            s = FrameDecoder.decode(frame);
        } catch (RuntimeException e) { // a decoder bug: said, and the watcher goes on
            listener.failed("decode a frame of " + frame.length + " bytes (a bug: please report it with this line: "
                    + java.util.HexFormat.of().formatHex(frame, 0, Math.min(frame.length, 96)) + ")",
                    new IOException(e.toString(), e));
            return;
        }
        if (s == null || !s.isClaim() || !s.address().equals(vip.prefix().address())
                || own.contains(s.mac()) || own.contains(s.source())) {
            return;
        }
        try {
            listener.claimed(s, handler.onForeignClaim(s));
        } catch (IOException e) {
            listener.failed("delete " + vip.prefix() + " from " + vip.interfaceName(), e);
        }
    }

    /** Ends {@link #run()} from another thread (a signal handler); waits at most {@code wait} for it. */
    public boolean stop(Duration wait) throws InterruptedException {
        stopping = true;
        FrameCapture capture = current;
        if (capture != null) {
            capture.stop();
        }
        Thread t = runner;
        if (t != null) {
            t.interrupt(); // ends a backoff pause
        }
        return stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Duration next(Duration d) {
        Duration doubled = d.multipliedBy(2);
        return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }
}
