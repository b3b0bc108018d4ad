package dev.vip.core;

import dev.vip.netlink.ErrnoException;
import java.io.IOException;
import java.util.function.Consumer;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;

/**
 * One pcap handle on one interface: the only class that opens them. Incoming frames only
 * (direction IN: our own frames are not echoed back), immediate delivery, and a kernel BPF filter set
 * before the first read. pcap reads block until a frame matches, whatever the timeout says
 * (../shared/FIELD-NOTES.md), so a reader is stopped with {@link #stop()} (pcap_breakloop) from another
 * thread, joined, and only then closed.
 */
final class PcapLink implements FrameCapture, FrameSink {
    private static final int EPERM = jnr.constants.platform.Errno.EPERM.intValue();
    private static final int ENODEV = jnr.constants.platform.Errno.ENODEV.intValue();
    /** pcap_activate's return codes (pcap/pcap.h), which pcap4j passes on with the exception. */
    private static final int PCAP_ERROR_NO_SUCH_DEVICE = -5;
    private static final int PCAP_ERROR_PERM_DENIED = -8;
    /** Matches no frame: for a handle that only sends, so that the kernel queues nothing for it. */
    public static final String NOTHING = "less 1";

    private final String interfaceName;
    private final PcapHandle handle;
    private volatile boolean stopping;

    private PcapLink(String interfaceName, PcapHandle handle) {
        this.interfaceName = interfaceName;
        this.handle = handle;
    }

    /** Loads libpcap through JNA now (pcap4j's bindings), opening no handle: see {@link Claims#preload}. */
    static void prepare() {
        Pcaps.libVersion();
    }

    /** Opens IF with a BPF filter (tcpdump syntax). Needs CAP_NET_RAW. */
    public static PcapLink open(String interfaceName, String filter) throws IOException {
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(interfaceName)
                    .snaplen(512)
                    .bufferSize(256 * 1024) // kernel ring: ample for ARP and ND at any realistic rate
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(0) // no timed wake-ups: stop() wakes the reader (pcap_breakloop, libpcap 1.10)
                    .immediateMode(true)
                    .direction(PcapHandle.PcapDirection.IN)
                    .build();
        } catch (PcapNativeException e) {
            throw translate("open " + interfaceName, e);
        }
        try {
            handle.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw new IOException("cannot set the filter '" + filter + "' on " + interfaceName + ": "
                    + e.getMessage(), e);
        }
        return new PcapLink(interfaceName, handle);
    }

    public String interfaceName() {
        return interfaceName;
    }

    @Override
    public void send(byte[] frame) throws IOException {
        try {
            handle.sendPacket(frame);
        } catch (PcapNativeException e) {
            throw translate("send on " + interfaceName, e);
        } catch (NotOpenException e) {
            throw new IOException("pcap handle on " + interfaceName + " is closed", e);
        }
    }

    /**
     * Hands each frame to {@code frames} until {@link #stop()} (then returns normally) or until the
     * interface fails (then throws: it went down, was deleted...).
     */
    @Override
    public void receive(Consumer<byte[]> frames) throws IOException {
        try {
            handle.loop(-1, (org.pcap4j.core.RawPacketListener) frames::accept);
            if (!stopping) {
                throw new IOException("capture on " + interfaceName + " ended");
            }
        } catch (InterruptedException e) {
            if (!stopping) {
                Thread.currentThread().interrupt();
                throw new IOException("capture on " + interfaceName + " interrupted", e);
            }
        } catch (PcapNativeException e) {
            if (!stopping) {
                throw translate("capture on " + interfaceName, e);
            }
        } catch (NotOpenException e) {
            throw new IOException("pcap handle on " + interfaceName + " is closed", e);
        }
    }

    /** Ends a {@link #receive} running in another thread, within a millisecond. */
    @Override
    public void stop() {
        stopping = true;
        try {
            handle.breakLoop();
        } catch (NotOpenException e) {
            // already closed: nothing to stop
        }
    }

    @Override
    public void close() {
        handle.close();
    }

    /**
     * EPERM and ENODEV become errno exceptions the CLI can map: from pcap_activate's return code when
     * pcap4j passes one on (opening), else from libpcap's text (sending: pcap_inject gives only text).
     */
    static IOException translate(String what, PcapNativeException e) {
        Integer code = e.getReturnCode();
        if (code != null && code == PCAP_ERROR_PERM_DENIED) {
            return new ErrnoException("pcap: " + what, EPERM);
        }
        if (code != null && code == PCAP_ERROR_NO_SUCH_DEVICE) {
            return new ErrnoException("pcap: " + what, ENODEV);
        }
        String text = String.valueOf(e.getMessage());
        if (text.contains("not permitted") || text.contains("ermission denied")) {
            return new ErrnoException("pcap: " + what, EPERM);
        }
        if (text.contains("No such device")) {
            return new ErrnoException("pcap: " + what, ENODEV);
        }
        return new IOException("pcap: " + what + ": " + text, e);
    }
}
