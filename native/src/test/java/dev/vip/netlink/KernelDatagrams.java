package dev.vip.netlink;

import dev.vip.netlink.codec.Netlink;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/** The multicast datagrams the kernel sends a {@link KernelEvents} subscriber, built for tests. */
public final class KernelDatagrams {
    private KernelDatagrams() {
    }

    /** RTM_NEWADDR or RTM_DELADDR of {@code address}/{@code prefixLength} on interface {@code index}. */
    public static ByteBuffer address(boolean removed, int index, InetAddress address, int prefixLength) {
        int family = address.getAddress().length == 4 ? AddressMessage.AF_INET : AddressMessage.AF_INET6;
        AddressMessage m = new AddressMessage(family, prefixLength, 0, 0, index, address, address, null, null);
        return Netlink.frame(removed ? Netlink.RTM_DELADDR : Netlink.RTM_NEWADDR, 0, 0, 0, m::encode);
    }

    /** RTM_NEWLINK (or RTM_DELLINK) of an Ethernet interface with these flags ({@code LinkMessage.IFF_*}). */
    public static ByteBuffer link(boolean removed, int index, String name, int flags) {
        return Netlink.frame(removed ? Netlink.RTM_DELLINK : Netlink.RTM_NEWLINK, 0, 0, 0, out -> {
            out.put((byte) AddressMessage.AF_UNSPEC).put((byte) 0).putShort((short) LinkMessage.ARPHRD_ETHER)
                    .putInt(index).putInt(flags).putInt(0);
            Netlink.putStringAttribute(out, LinkMessage.IFLA_IFNAME, name);
        });
    }
}
