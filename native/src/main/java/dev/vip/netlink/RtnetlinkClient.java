package dev.vip.netlink;

import dev.vip.netlink.codec.Netlink;
import dev.vip.netlink.codec.NetlinkError;
import dev.vip.netlink.codec.NetlinkHeader;
import dev.vip.netlink.codec.NetlinkMessage;
import dev.vip.netlink.libc.LibcNetlinkSocket;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Address and link requests over one rtnetlink socket. Each method only chooses the message type and
 * flags; {@link AddressMessage} and {@link LinkMessage} do the encoding. Replies are matched by sequence
 * number and port id; anything else on the socket is skipped; every wait is bounded by the timeout.
 * Not thread-safe: one request at a time.
 */
public final class RtnetlinkClient implements Closeable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private final NetlinkSocket socket;
    private final Duration timeout;
    private int sequence;

    public RtnetlinkClient(NetlinkSocket socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
        // A start that differs per process makes a stale reply from an earlier run easy to tell apart.
        this.sequence = (int) (System.nanoTime() & 0x3fff_ffff);
    }

    /** A client on a fresh libc socket, with the default timeout. */
    public static RtnetlinkClient open() throws IOException {
        return new RtnetlinkClient(LibcNetlinkSocket.open(0), DEFAULT_TIMEOUT);
    }

    /**
     * Does now what the first {@link #open} would otherwise do (bind libc's calls through jnr-ffi), opening
     * nothing: for a command that can have it done beside its other start-up work.
     */
    public static void prepare() {
        LibcNetlinkSocket.prepare();
    }

    /** What to add; see {@link #addAddress}. {@code lifetimes} may be null (forever). */
    public record AddRequest(int interfaceIndex, InetAddress address, int prefixLength, String label,
                             boolean noDad, boolean noPrefixRoute, AddressMessage.Lifetimes lifetimes) {
    }

    /**
     * {@code ip addr add ADDRESS/PREFIX dev IF [label LABEL] [nodad] [noprefixroute] [preferred_lft N]}:
     * REQUEST|ACK|CREATE|EXCL with IFA_LOCAL and IFA_ADDRESS, so an address already there is EEXIST.
     */
    public void addAddress(AddRequest request) throws IOException {
        int flags = (request.noDad() ? AddressMessage.IFA_F_NODAD : 0)
                | (request.noPrefixRoute() ? AddressMessage.IFA_F_NOPREFIXROUTE : 0);
        AddressMessage message = new AddressMessage(family(request.address()), request.prefixLength(), flags, 0,
                request.interfaceIndex(), request.address(), request.address(), request.label(),
                request.lifetimes());
        exchange(Netlink.RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, message::encode);
    }

    /**
     * {@code ip addr del ADDRESS/PREFIX dev IF}. No IFA_LABEL: the kernel treats label and prefix length
     * as match keys, so the prefix must be the one the address has. A missing address is EADDRNOTAVAIL.
     */
    public void deleteAddress(int interfaceIndex, InetAddress address, int prefixLength) throws IOException {
        AddressMessage message = new AddressMessage(family(address), prefixLength, 0, 0, interfaceIndex,
                address, address, null, null);
        exchange(Netlink.RTM_DELADDR, 0, message::encode);
    }

    /** {@code ip addr show dev IF}: the interface's IPv4 and IPv6 addresses. */
    public List<AddressMessage> listAddresses(int interfaceIndex) throws IOException {
        List<AddressMessage> out = new ArrayList<>();
        for (NetlinkMessage m : exchange(Netlink.RTM_GETADDR, Netlink.NLM_F_DUMP, body -> body
                .put((byte) AddressMessage.AF_UNSPEC).put((byte) 0).put((byte) 0).put((byte) 0).putInt(0))) {
            if (m.header().type() == Netlink.RTM_NEWADDR) {
                AddressMessage a = AddressMessage.decode(m);
                if (a.interfaceIndex() == interfaceIndex) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /** {@code ip link show dev NAME}: index, flags, MAC. A missing interface is ENODEV. */
    public LinkMessage link(String name) throws IOException {
        return singleLink(exchange(Netlink.RTM_GETLINK, 0, LinkMessage.request(name, 0)));
    }

    /** {@code ip link show}: every interface of this network namespace. */
    public List<LinkMessage> links() throws IOException {
        List<LinkMessage> out = new ArrayList<>();
        for (NetlinkMessage m : exchange(Netlink.RTM_GETLINK, Netlink.NLM_F_DUMP, LinkMessage.request(null, 0))) {
            if (m.header().type() == Netlink.RTM_NEWLINK) {
                out.add(LinkMessage.decode(m));
            }
        }
        return out;
    }

    /** The same by index. */
    public LinkMessage link(int index) throws IOException {
        return singleLink(exchange(Netlink.RTM_GETLINK, 0, LinkMessage.request(null, index)));
    }

    private static LinkMessage singleLink(List<NetlinkMessage> replies) throws IOException {
        for (NetlinkMessage m : replies) {
            if (m.header().type() == Netlink.RTM_NEWLINK) {
                return LinkMessage.decode(m);
            }
        }
        throw new NetlinkProtocolException("RTM_GETLINK: acknowledged without an RTM_NEWLINK reply");
    }

    private static int family(InetAddress address) {
        return address instanceof Inet4Address ? AddressMessage.AF_INET : AddressMessage.AF_INET6;
    }

    /**
     * Sends one request and gathers its replies: for a dump, until NLMSG_DONE; otherwise until the ack
     * (we always ask for one). A negative NLMSG_ERROR becomes a {@link NetlinkException}.
     */
    private List<NetlinkMessage> exchange(int type, int extraFlags, Netlink.Body body) throws IOException {
        int seq = ++sequence;
        boolean dump = (extraFlags & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP;
        int flags = Netlink.NLM_F_REQUEST | (dump ? 0 : Netlink.NLM_F_ACK) | extraFlags;
        socket.send(Netlink.frame(type, flags, seq, 0, body));
        List<NetlinkMessage> replies = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            ByteBuffer datagram = left > 0 ? socket.receive(Duration.ofNanos(left)) : null;
            if (datagram == null) {
                throw new NetlinkProtocolException(Netlink.typeName(type) + ": no reply from the kernel within "
                        + timeout.toMillis() + " ms");
            }
            for (NetlinkMessage m : Netlink.split(datagram)) {
                NetlinkHeader h = m.header();
                if (h.sequence() != seq || h.portId() != socket.portId()) {
                    continue; // a late reply to an earlier request, or not ours
                }
                switch (h.type()) {
                    case Netlink.NLMSG_ERROR -> {
                        NetlinkError error = NetlinkError.decode(m);
                        if (!error.isAck()) {
                            throw new NetlinkException(type, seq, error.errno(), error.message());
                        }
                        return replies;
                    }
                    case Netlink.NLMSG_DONE -> {
                        if (dump) {
                            return replies;
                        }
                    }
                    case Netlink.NLMSG_NOOP -> {
                    }
                    default -> replies.add(m);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
