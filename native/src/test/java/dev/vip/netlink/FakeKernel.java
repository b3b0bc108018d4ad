package dev.vip.netlink;

import dev.vip.netlink.codec.Netlink;
import dev.vip.netlink.codec.NetlinkError;
import dev.vip.netlink.codec.NetlinkHeader;
import dev.vip.netlink.codec.NetlinkMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small rtnetlink kernel in memory, for other modules' tests (vip-native's test jar): links, and the
 * addresses on them, answered as Linux answers {@code ip link show}, {@code ip addr show}, {@code add}
 * (EEXIST when there, ENODEV for no such link) and {@code del} (EADDRNOTAVAIL when not there, prefix
 * length a match key). {@link #beforeNext} runs something just before the next request is handled:
 * another process changing the kernel between our look and our change.
 */
public final class FakeKernel implements NetlinkSocket {
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int EADDRNOTAVAIL = 99;
    private static final int PORT = 5151;

    /** One interface. */
    public record Link(int index, String name, int flags, MacAddress mac) {
    }

    private final Map<Integer, Link> links = new LinkedHashMap<>();
    private final List<AddressMessage> addresses = new ArrayList<>();
    private final Deque<ByteBuffer> inbox = new ArrayDeque<>();
    private final List<String> requests = new ArrayList<>();
    private Runnable beforeNext;

    public FakeKernel link(int index, String name, int flags, MacAddress mac) {
        links.put(index, new Link(index, name, flags, mac));
        return this;
    }

    /** An address put there by someone else (as {@code ip addr add} would). */
    public FakeKernel address(AddressMessage a) {
        addresses.add(a);
        return this;
    }

    /** The address deleted by someone else (as {@code ip addr del} would), whatever its prefix. */
    public FakeKernel remove(java.net.InetAddress address) {
        addresses.removeIf(a -> a.primaryAddress().equals(address));
        return this;
    }

    public List<AddressMessage> addresses() {
        return List.copyOf(addresses);
    }

    /** The requests handled, by type name ("RTM_NEWADDR"...), in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public FakeKernel beforeNext(Runnable r) {
        beforeNext = r;
        return this;
    }

    @Override
    public int portId() {
        return PORT;
    }

    @Override
    public void send(ByteBuffer message) throws IOException {
        NetlinkMessage m = Netlink.split(message).get(0);
        NetlinkHeader h = m.header();
        Runnable r = beforeNext;
        beforeNext = null;
        if (r != null) {
            r.run();
        }
        requests.add(Netlink.typeName(h.type()));
        switch (h.type()) {
            case Netlink.RTM_GETLINK -> getLink(m);
            case Netlink.RTM_GETADDR -> {
                for (AddressMessage a : addresses) {
                    inbox.add(Netlink.frame(Netlink.RTM_NEWADDR, Netlink.NLM_F_MULTI, h.sequence(), PORT, a::encode));
                }
                done(h);
            }
            case Netlink.RTM_NEWADDR -> {
                AddressMessage a = AddressMessage.decode(m);
                if (!links.containsKey(a.interfaceIndex())) {
                    error(h, ENODEV);
                } else if (find(a) != null) {
                    error(h, EEXIST);
                } else {
                    addresses.add(a);
                    error(h, 0);
                }
            }
            case Netlink.RTM_DELADDR -> {
                AddressMessage a = AddressMessage.decode(m);
                AddressMessage there = find(a);
                if (there == null || there.prefixLength() != a.prefixLength()) {
                    error(h, EADDRNOTAVAIL);
                } else {
                    addresses.remove(there);
                    error(h, 0);
                }
            }
            default -> error(h, 95); // EOPNOTSUPP: nothing else is asked
        }
    }

    private AddressMessage find(AddressMessage a) {
        for (AddressMessage there : addresses) {
            if (there.interfaceIndex() == a.interfaceIndex() && there.primaryAddress().equals(a.primaryAddress())) {
                return there;
            }
        }
        return null;
    }

    private void getLink(NetlinkMessage m) throws NetlinkProtocolException {
        NetlinkHeader h = m.header();
        if ((h.flags() & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP) {
            for (Link l : links.values()) {
                inbox.add(newLink(l, h, Netlink.NLM_F_MULTI));
            }
            done(h);
            return;
        }
        ByteBuffer in = m.payload();
        in.position(in.position() + 4);
        int index = in.getInt();
        in.position(in.position() + 8);
        String[] name = {null};
        Netlink.forEachAttribute(in, (type, data) -> {
            if (type == LinkMessage.IFLA_IFNAME) {
                name[0] = Netlink.string(data);
            }
        });
        for (Link l : links.values()) {
            if (l.index() == index || l.name().equals(name[0])) {
                inbox.add(newLink(l, h, 0));
                error(h, 0);
                return;
            }
        }
        error(h, ENODEV);
    }

    private static ByteBuffer newLink(Link l, NetlinkHeader request, int flags) {
        return Netlink.frame(Netlink.RTM_NEWLINK, flags, request.sequence(), PORT, out -> {
            out.put((byte) AddressMessage.AF_UNSPEC).put((byte) 0)
                    .putShort((short) ((l.flags() & LinkMessage.IFF_LOOPBACK) != 0 ? 772 : LinkMessage.ARPHRD_ETHER))
                    .putInt(l.index()).putInt(l.flags()).putInt(0);
            Netlink.putStringAttribute(out, LinkMessage.IFLA_IFNAME, l.name());
            if (l.mac() != null) {
                Netlink.putAttribute(out, LinkMessage.IFLA_ADDRESS, l.mac().toBytes());
            }
            Netlink.putAttribute(out, LinkMessage.IFLA_MTU, 1500);
        });
    }

    private void done(NetlinkHeader h) {
        inbox.add(Netlink.frame(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, h.sequence(), PORT, out -> out.putInt(0)));
    }

    private void error(NetlinkHeader h, int errno) {
        inbox.add(new NetlinkError(errno, h, null).encode(PORT));
    }

    @Override
    public ByteBuffer receive(Duration timeout) {
        return inbox.poll();
    }

    @Override
    public void close() {
        inbox.clear();
    }
}
