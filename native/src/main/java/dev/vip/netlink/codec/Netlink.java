package dev.vip.netlink.codec;

import dev.vip.netlink.NetlinkProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Netlink framing: the 16-byte header, message boundaries and route attributes. Pure code, native byte
 * order, no I/O.
 *
 * <pre>
 * struct nlmsghdr {            struct rtattr {
 *   u32 nlmsg_len;               u16 rta_len;   // header + data, without padding
 *   u16 nlmsg_type;              u16 rta_type;
 *   u16 nlmsg_flags;             // data, padded to 4 bytes
 *   u32 nlmsg_seq;             };
 *   u32 nlmsg_pid;
 * };
 * </pre>
 */
public final class Netlink {
    public static final int HEADER_LENGTH = 16;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;

    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;

    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP = 0x300;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    /** In an NLMSG_ERROR: the original request's payload was left out (NETLINK_CAP_ACK). */
    public static final int NLM_F_CAPPED = 0x100;
    /** In an NLMSG_ERROR: extended-ack attributes follow the original request. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    public static final int RTMGRP_LINK = 0x1;
    public static final int RTMGRP_IPV4_IFADDR = 0x10;
    public static final int RTMGRP_IPV6_IFADDR = 0x100;

    static final int NLMSGERR_ATTR_MSG = 1;

    private Netlink() {
    }

    public static ByteOrder order() {
        return ByteOrder.nativeOrder();
    }

    public static int align(int length) {
        return (length + 3) & ~3;
    }

    public static String typeName(int type) {
        return switch (type) {
            case NLMSG_NOOP -> "NLMSG_NOOP";
            case NLMSG_ERROR -> "NLMSG_ERROR";
            case NLMSG_DONE -> "NLMSG_DONE";
            case RTM_NEWLINK -> "RTM_NEWLINK";
            case RTM_DELLINK -> "RTM_DELLINK";
            case RTM_GETLINK -> "RTM_GETLINK";
            case RTM_NEWADDR -> "RTM_NEWADDR";
            case RTM_DELADDR -> "RTM_DELADDR";
            case RTM_GETADDR -> "RTM_GETADDR";
            default -> "message type " + type;
        };
    }

    /** Something that writes a message body (the family header and attributes) into a buffer. */
    @FunctionalInterface
    public interface Body {
        void writeTo(ByteBuffer out);
    }

    /** One whole message: header followed by the body, length filled in. Returns a flipped buffer. */
    public static ByteBuffer frame(int type, int flags, int sequence, int portId, Body body) {
        ByteBuffer out = ByteBuffer.allocate(4096).order(order());
        out.position(HEADER_LENGTH);
        body.writeTo(out);
        int length = out.position();
        out.putInt(0, length).putShort(4, (short) type).putShort(6, (short) flags)
                .putInt(8, sequence).putInt(12, portId);
        return out.flip();
    }

    /** Splits a datagram into its messages; rejects any length that does not fit. */
    public static List<NetlinkMessage> split(ByteBuffer datagram) throws NetlinkProtocolException {
        ByteBuffer in = datagram.duplicate().order(order());
        List<NetlinkMessage> messages = new ArrayList<>();
        while (in.remaining() >= HEADER_LENGTH) {
            int start = in.position();
            NetlinkHeader header = NetlinkHeader.read(in);
            if (header.length() < HEADER_LENGTH || header.length() > in.limit() - start) {
                throw new NetlinkProtocolException("truncated netlink message: length " + header.length()
                        + " with " + (in.limit() - start) + " bytes left");
            }
            ByteBuffer payload = in.slice(in.position(), header.length() - HEADER_LENGTH).order(order());
            messages.add(new NetlinkMessage(header, payload));
            in.position(Math.min(in.limit(), start + align(header.length())));
        }
        if (in.hasRemaining()) {
            throw new NetlinkProtocolException("truncated netlink message: " + in.remaining() + " stray bytes");
        }
        return messages;
    }

    /** Appends one route attribute, padded. */
    public static void putAttribute(ByteBuffer out, int type, byte[] data) {
        out.putShort((short) (4 + data.length)).putShort((short) type).put(data);
        pad(out);
    }

    public static void putAttribute(ByteBuffer out, int type, int value) {
        out.putShort((short) 8).putShort((short) type).putInt(value);
    }

    /** A NUL-terminated string attribute, as the kernel expects for names and labels. */
    public static void putStringAttribute(ByteBuffer out, int type, String value) {
        byte[] text = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] data = java.util.Arrays.copyOf(text, text.length + 1);
        putAttribute(out, type, data);
    }

    static void pad(ByteBuffer out) {
        while ((out.position() & 3) != 0) {
            out.put((byte) 0);
        }
    }

    /** Visits each attribute in {@code in} from its position; the data buffer is a slice. */
    public static void forEachAttribute(ByteBuffer in, AttributeVisitor visitor) throws NetlinkProtocolException {
        ByteBuffer b = in.duplicate().order(order());
        while (b.remaining() >= 4) {
            int start = b.position();
            int length = Short.toUnsignedInt(b.getShort());
            int type = Short.toUnsignedInt(b.getShort()) & 0x3fff; // drop NLA_F_NESTED / NET_BYTEORDER
            if (length < 4 || length > b.limit() - start) {
                throw new NetlinkProtocolException("truncated attribute: type " + type + " length " + length);
            }
            visitor.visit(type, b.slice(start + 4, length - 4).order(order()));
            b.position(Math.min(b.limit(), start + align(length)));
        }
    }

    @FunctionalInterface
    public interface AttributeVisitor {
        void visit(int type, ByteBuffer data) throws NetlinkProtocolException;
    }

    public static byte[] bytes(ByteBuffer data) {
        byte[] out = new byte[data.remaining()];
        data.duplicate().get(out);
        return out;
    }

    /** A NUL-terminated (or unterminated) string attribute. */
    public static String string(ByteBuffer data) {
        byte[] raw = bytes(data);
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        return new String(raw, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }
}
