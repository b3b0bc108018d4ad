package dev.vip.netlink;

import dev.vip.netlink.codec.Netlink;
import dev.vip.netlink.codec.NetlinkMessage;
import java.nio.ByteBuffer;

/**
 * RTM_NEWLINK / RTM_GETLINK body: struct ifinfomsg and the attributes we need.
 *
 * <pre>
 * struct ifinfomsg {
 *   u8  ifi_family;  u8 pad;
 *   u16 ifi_type;    // ARPHRD_ETHER 1, ARPHRD_LOOPBACK 772...
 *   s32 ifi_index;
 *   u32 ifi_flags;   // IFF_UP 0x1, IFF_LOOPBACK 0x8, IFF_RUNNING 0x40, IFF_NOARP 0x80, IFF_LOWER_UP 0x10000
 *   u32 ifi_change;
 * };
 * attributes: IFLA_ADDRESS 1 (hardware address), IFLA_IFNAME 3 (string), IFLA_MTU 4 (u32)
 * </pre>
 *
 * @param mac the hardware address when it is a 6-byte Ethernet address, else null
 */
public record LinkMessage(int type, int index, int flags, String name, MacAddress mac, int mtu) {
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;

    public static final int IFF_UP = 0x1;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_LOWER_UP = 0x10000;

    public static final int ARPHRD_ETHER = 1;

    static final int HEADER_LENGTH = 16;

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    /** The body of an RTM_GETLINK request for one interface, by name (index 0) or by index. */
    static Netlink.Body request(String name, int index) {
        return out -> {
            out.put((byte) AddressMessage.AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(index)
                    .putInt(0).putInt(0);
            if (name != null) {
                Netlink.putStringAttribute(out, IFLA_IFNAME, name);
            }
        };
    }

    static LinkMessage decode(NetlinkMessage message) throws NetlinkProtocolException {
        ByteBuffer in = message.payload();
        if (in.remaining() < HEADER_LENGTH) {
            throw new NetlinkProtocolException("truncated ifinfomsg: " + in.remaining() + " bytes");
        }
        in.getShort(); // family and padding
        int type = Short.toUnsignedInt(in.getShort());
        int index = in.getInt();
        int flags = in.getInt();
        in.getInt(); // ifi_change
        Object[] fields = {null, null, 0};
        Netlink.forEachAttribute(in, (attribute, data) -> {
            switch (attribute) {
                case IFLA_ADDRESS -> fields[1] = data.remaining() == 6 ? MacAddress.of(Netlink.bytes(data)) : null;
                case IFLA_IFNAME -> fields[0] = Netlink.string(data);
                case IFLA_MTU -> {
                    if (data.remaining() < 4) {
                        throw new NetlinkProtocolException("truncated IFLA_MTU");
                    }
                    fields[2] = data.getInt(0);
                }
                default -> {
                    // statistics, qdisc, operstate... are not needed here
                }
            }
        });
        return new LinkMessage(type, index, flags, (String) fields[0], (MacAddress) fields[1], (Integer) fields[2]);
    }
}
