package dev.vip.netlink.codec;

import java.nio.ByteBuffer;

/** One message of a datagram: its header and a read-only view of its payload. */
public final class NetlinkMessage {
    private final NetlinkHeader header;
    private final ByteBuffer payload;

    NetlinkMessage(NetlinkHeader header, ByteBuffer payload) {
        this.header = header;
        this.payload = payload.asReadOnlyBuffer().order(Netlink.order());
    }

    public NetlinkHeader header() {
        return header;
    }

    /** A fresh read-only view of the payload (position 0). */
    public ByteBuffer payload() {
        return payload.duplicate().order(Netlink.order());
    }
}
