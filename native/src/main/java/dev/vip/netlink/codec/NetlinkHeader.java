package dev.vip.netlink.codec;

import java.nio.ByteBuffer;

/** struct nlmsghdr. Lengths and numbers are unsigned in the kernel; they are kept as Java ints. */
public record NetlinkHeader(int length, int type, int flags, int sequence, int portId) {

    static NetlinkHeader read(ByteBuffer in) {
        int length = in.getInt();
        int type = Short.toUnsignedInt(in.getShort());
        int flags = Short.toUnsignedInt(in.getShort());
        return new NetlinkHeader(length, type, flags, in.getInt(), in.getInt());
    }

    boolean has(int flag) {
        return (flags & flag) == flag;
    }
}
