package dev.vip.netlink;

import dev.vip.netlink.codec.Netlink;
import dev.vip.netlink.codec.NetlinkMessage;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR body: struct ifaddrmsg and its attributes.
 *
 * <pre>
 * struct ifaddrmsg {
 *   u8  ifa_family;      // AF_INET 2, AF_INET6 10
 *   u8  ifa_prefixlen;
 *   u8  ifa_flags;       // low 8 bits of the flags; IFA_FLAGS carries all 32
 *   u8  ifa_scope;
 *   u32 ifa_index;
 * };
 * attributes: IFA_ADDRESS 1, IFA_LOCAL 2, IFA_LABEL 3 (string), IFA_CACHEINFO 6, IFA_FLAGS 8 (u32)
 * struct ifa_cacheinfo { u32 ifa_prefered; u32 ifa_valid; u32 cstamp; u32 tstamp; };
 * </pre>
 *
 * @param flags     all IFA_F_* flags (IFA_FLAGS when present, else ifa_flags)
 * @param local     IFA_LOCAL or null
 * @param address   IFA_ADDRESS or null
 * @param label     IFA_LABEL or null (the kernel keeps labels for IPv4 only)
 * @param lifetimes IFA_CACHEINFO or null
 */
public record AddressMessage(int family, int prefixLength, int flags, int scope, int interfaceIndex,
                             InetAddress local, InetAddress address, String label, Lifetimes lifetimes) {
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_CACHEINFO = 6;
    public static final int IFA_FLAGS = 8;

    public static final int IFA_F_SECONDARY = 0x01;
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_DADFAILED = 0x08;
    public static final int IFA_F_DEPRECATED = 0x20;
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_NOPREFIXROUTE = 0x200;

    static final int HEADER_LENGTH = 8;

    /** ifa_cacheinfo lifetimes in seconds; {@link #FOREVER} is the kernel's INFINITY_LIFE_TIME. */
    public record Lifetimes(long preferred, long valid) {
        public static final long FOREVER = 0xffff_ffffL;

        public Lifetimes {
            if (preferred < 0 || preferred > FOREVER || valid < 0 || valid > FOREVER) {
                throw new IllegalArgumentException("lifetimes are unsigned 32-bit seconds");
            }
        }
    }

    /** The address itself: IFA_LOCAL when present (IPv4), else IFA_ADDRESS (IPv6). */
    public InetAddress primaryAddress() {
        return local != null ? local : address;
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    /** Writes ifaddrmsg and the attributes that are set. IFA_FLAGS only when a flag exceeds 8 bits. */
    void encode(ByteBuffer out) {
        out.put((byte) family).put((byte) prefixLength).put((byte) (flags & 0xff)).put((byte) scope)
                .putInt(interfaceIndex);
        if (local != null) {
            Netlink.putAttribute(out, IFA_LOCAL, local.getAddress());
        }
        if (address != null) {
            Netlink.putAttribute(out, IFA_ADDRESS, address.getAddress());
        }
        if (label != null) {
            Netlink.putStringAttribute(out, IFA_LABEL, label);
        }
        if ((flags & ~0xff) != 0) {
            Netlink.putAttribute(out, IFA_FLAGS, flags);
        }
        if (lifetimes != null) {
            out.putShort((short) 20).putShort((short) IFA_CACHEINFO)
                    .putInt((int) lifetimes.preferred()).putInt((int) lifetimes.valid()).putInt(0).putInt(0);
        }
    }

    static AddressMessage decode(NetlinkMessage message) throws NetlinkProtocolException {
        ByteBuffer in = message.payload();
        if (in.remaining() < HEADER_LENGTH) {
            throw new NetlinkProtocolException("truncated ifaddrmsg: " + in.remaining() + " bytes");
        }
        int family = Byte.toUnsignedInt(in.get());
        int prefixLength = Byte.toUnsignedInt(in.get());
        int shortFlags = Byte.toUnsignedInt(in.get());
        int scope = Byte.toUnsignedInt(in.get());
        int index = in.getInt();
        var fields = new Object[] {null, null, null, null, shortFlags};
        Netlink.forEachAttribute(in, (type, data) -> {
            switch (type) {
                case IFA_LOCAL -> fields[0] = inet(data);
                case IFA_ADDRESS -> fields[1] = inet(data);
                case IFA_LABEL -> fields[2] = Netlink.string(data);
                case IFA_CACHEINFO -> {
                    if (data.remaining() < 8) {
                        throw new NetlinkProtocolException("truncated IFA_CACHEINFO");
                    }
                    fields[3] = new Lifetimes(Integer.toUnsignedLong(data.getInt(0)),
                            Integer.toUnsignedLong(data.getInt(4)));
                }
                case IFA_FLAGS -> {
                    if (data.remaining() < 4) {
                        throw new NetlinkProtocolException("truncated IFA_FLAGS");
                    }
                    fields[4] = data.getInt(0);
                }
                default -> {
                    // other attributes (broadcast, protocol, priority) are not needed here
                }
            }
        });
        return new AddressMessage(family, prefixLength, (Integer) fields[4], scope, index,
                (InetAddress) fields[0], (InetAddress) fields[1], (String) fields[2], (Lifetimes) fields[3]);
    }

    static InetAddress inet(ByteBuffer data) throws NetlinkProtocolException {
        byte[] raw = Netlink.bytes(data);
        try {
            return switch (raw.length) {
                case 4 -> Inet4Address.getByAddress(raw);
                // Inet6Address keeps IPv4-mapped addresses as IPv6, unlike InetAddress.getByAddress
                case 16 -> Inet6Address.getByAddress(null, raw, -1);
                default -> throw new NetlinkProtocolException("address attribute of " + raw.length + " bytes");
            };
        } catch (UnknownHostException e) {
            throw new NetlinkProtocolException("bad address attribute: " + e.getMessage());
        }
    }
}
