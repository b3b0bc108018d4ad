package dev.vip.core;

import dev.vip.netlink.MacAddress;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Tells the segment that the VIP is at our MAC: gratuitous ARP (the forms {@link ArpMode} chooses) or an
 * unsolicited neighbour advertisement. One round at a time; {@link Claims} repeats them at the
 * interval (Linux peers ignore non-gratuitous updates within 1 s, so about 1 s is right).
 */
final class Announcer implements Closeable {
    private final FrameSink link;
    private final MacAddress ours;

    Announcer(FrameSink link, MacAddress ours) {
        this.link = link;
        this.ours = ours;
    }

    /** Builds (and drops) the frames of one round: loads the classes a warm daemon should not load later. */
    void prepare(InetAddress vip, ArpMode mode) {
        if (vip instanceof Inet6Address v6) {
            Frames.unsolicitedNeighborAdvertisement(ours, v6);
        } else {
            Frames.arpAnnouncementRequest(ours, (Inet4Address) vip);
            Frames.arpAnnouncementReply(ours, (Inet4Address) vip);
        }
    }

    /** One round: one or two ARP frames, or one NA. Returns the number of frames sent. */
    int announceOnce(InetAddress vip, ArpMode mode) throws IOException {
        if (vip instanceof Inet6Address v6) {
            link.send(Frames.unsolicitedNeighborAdvertisement(ours, v6));
            return 1;
        }
        Inet4Address v4 = (Inet4Address) vip;
        int sent = 0;
        if (mode.sendsRequest()) {
            link.send(Frames.arpAnnouncementRequest(ours, v4));
            sent++;
        }
        if (mode.sendsReply()) {
            link.send(Frames.arpAnnouncementReply(ours, v4));
            sent++;
        }
        return sent;
    }

    @Override
    public void close() {
        link.close();
    }
}
