package dev.vip.core;

import dev.vip.netlink.MacAddress;
import dev.vip.netlink.RtnetlinkClient;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/**
 * The one way a VIP goes onto this host and is announced, and comes off: {@code vip add}/{@code del}/
 * {@code announce}, the hook's direct path and the daemon all go through it; what decides whether to
 * claim (the daemon's arbiter, the hook's fence) stays with them. The announcing handle is opened before
 * the address is added, so that the first round leaves right after the kernel's ack; a round whose send
 * fails reopens the handle (one opened before the link last went down keeps failing) and is sent again
 * once. Not thread-safe: the daemon calls it under its own lock.
 */
public final class Claims implements Closeable {
    /** What a claim does when the address is already there. */
    public enum IfPresent {
        /** Announce it all the same (a claim re-asserts: {@code vip add}, the daemon). */
        ANNOUNCE,
        /** Leave it, send nothing ({@code vip hook}: the other event of this promotion got there first). */
        LEAVE
    }

    /** A claim's outcome: whether the address was added, the frames of the first round, what is there now. */
    public record Claimed(boolean added, int sent, AddressManager.Presence presence) {
    }

    /** Told of each failed send of a round; {@code retrying} false means the round is lost. */
    @FunctionalInterface
    public interface SendFailed {
        void failed(IOException e, boolean retrying) throws IOException;
    }

    /** A lost round is the caller's failure: for commands, which report it. */
    public static final SendFailed THROW = (e, retrying) -> {
        if (!retrying) {
            throw e;
        }
    };

    /** Opens the sending side of an interface: pcap, or a test's recording sink. */
    @FunctionalInterface
    interface Opener {
        FrameSink open(String interfaceName) throws IOException;
    }

    private final Vip vip;
    private final AddOptions options;
    private final ArpMode mode;
    private final AddressManager addresses;
    private final Opener opener;
    private final AddressManager.Presence atOpen;
    private MacAddress mac;
    private Announcer announcer;
    private volatile boolean silenced;

    Claims(Vip vip, AddOptions options, ArpMode mode, AddressManager addresses, Opener opener) throws IOException {
        this.vip = vip;
        this.options = options;
        this.mode = mode;
        this.addresses = addresses;
        this.opener = opener;
        this.atOpen = addresses.find(vip);
        if (opener != null) {
            this.mac = atOpen.ethernetMac();
            this.announcer = new Announcer(opener.open(vip.interfaceName()), mac);
        }
    }

    /**
     * Opens rtnetlink and, when {@code announce}, a pcap handle on the VIP's interface (which must then be
     * Ethernet). Throws when the interface is missing or a handle cannot be opened (privilege).
     */
    public static Claims open(Vip vip, AddOptions options, ArpMode mode, boolean announce) throws IOException {
        AddressManager addresses = AddressManager.open();
        try {
            return new Claims(vip, options, mode, addresses,
                    announce ? name -> PcapLink.open(name, PcapLink.NOTHING) : null);
        } catch (IOException | RuntimeException e) {
            addresses.close();
            throw e;
        }
    }

    /**
     * Starts, in a thread of its own, what {@link #open} will need and costs a JVM-started command most:
     * jnr-ffi's bindings for rtnetlink and, when {@code announcing}, libpcap through JNA. Opens nothing,
     * adds and sends nothing; a failure here is left for {@link #open} to meet and report. On two cores
     * this runs beside the command's own start (picocli, pgjdbc for the hook's fence).
     */
    public static void preload(boolean announcing) {
        Thread t = new Thread(() -> {
            try {
                RtnetlinkClient.prepare();
                if (announcing) {
                    PcapLink.prepare();
                }
            } catch (RuntimeException | LinkageError e) {
                // open() meets it again, and says what it is
            }
        }, "vip-preload");
        t.setDaemon(true);
        t.start();
    }

    /** What the kernel had when this was opened. */
    public AddressManager.Presence atOpen() {
        return atOpen;
    }

    /** The kernel's side: for looking (presence, the host's MACs) and for a probe's first. */
    public AddressManager addresses() {
        return addresses;
    }

    /** The MAC announcements carry; null when this does not announce. */
    public MacAddress mac() {
        return mac;
    }

    /** Builds (and drops) one round's frames, so that a warm daemon's first claim loads no classes. */
    public void prepare() {
        if (announcer != null) {
            announcer.prepare(vip.prefix().address(), mode);
        }
    }

    /** Adds the VIP (idempotent, a conflict when it is there in another form) and sends the first round. */
    public Claimed claim(IfPresent ifPresent, SendFailed failed) throws IOException, ConflictException {
        if (ifPresent == IfPresent.LEAVE) {
            AddressManager.Presence now = addresses.find(vip);
            if (now.address().isPresent()) {
                return new Claimed(false, 0, now);
            }
        }
        AddressManager.Outcome outcome = addresses.add(vip, options);
        return new Claimed(outcome.changed(), round(failed), outcome.presence());
    }

    /**
     * One round now (0 frames when this does not announce). A failed send drops the handle and the round
     * is sent again through a new one; a handle that cannot be reopened is tried again at the next round.
     */
    public int round(SendFailed failed) throws IOException {
        if (opener == null) {
            return 0;
        }
        for (int attempt = 1; ; attempt++) {
            if (silenced) {
                return 0; // stopped meanwhile (the daemon's stop runs on another thread)
            }
            try {
                if (announcer == null) {
                    mac = addresses.find(vip).ethernetMac();
                    announcer = new Announcer(opener.open(vip.interfaceName()), mac);
                }
                return announcer.announceOnce(vip.prefix().address(), mode);
            } catch (IOException e) {
                dropHandle();
                failed.failed(e, attempt == 1);
                if (attempt > 1) {
                    return 0;
                }
            }
        }
    }

    /**
     * {@code count} rounds: the first after {@code first} (zero: at once), the others {@code interval}
     * apart. {@code vip announce}, and {@code vip add}'s rounds after the claim's first.
     */
    public int rounds(int count, Duration first, Duration interval, SendFailed failed) throws IOException {
        int sent = 0;
        for (int i = 0; i < count; i++) {
            Duration wait = i == 0 ? first : interval;
            if (!wait.isZero()) {
                sleep(wait);
            }
            sent += round(failed);
        }
        return sent;
    }

    private static void sleep(Duration d) throws IOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Deletes the VIP in the form asked for ({@code vip del}: another prefix is a conflict). */
    public AddressManager.Outcome delete() throws IOException, ConflictException {
        return addresses.delete(vip);
    }

    /** Deletes the VIP's address whatever its prefix (another host holds it now). */
    public AddressManager.Outcome release() throws IOException {
        return addresses.release(vip);
    }

    /**
     * Closes the announcing handle for good, leaving rtnetlink open for whoever still looks (the daemon's
     * stop: a round already scheduled sends nothing after it).
     */
    public void silence() {
        silenced = true;
        dropHandle();
    }

    private void dropHandle() {
        if (announcer != null) {
            announcer.close();
            announcer = null;
        }
    }

    @Override
    public void close() throws IOException {
        dropHandle();
        addresses.close();
    }
}
