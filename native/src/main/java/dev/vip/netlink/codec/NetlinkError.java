package dev.vip.netlink.codec;

import dev.vip.netlink.NetlinkProtocolException;
import java.nio.ByteBuffer;

/**
 * NLMSG_ERROR: an ack ({@code errno == 0}) or an error, with the kernel's extended-ack text.
 *
 * <pre>
 * struct nlmsgerr {
 *   s32 error;              // 0 or -errno
 *   struct nlmsghdr msg;    // the request's header, followed by its payload unless NLM_F_CAPPED
 * };
 * // then, when NLM_F_ACK_TLVS: attributes NLMSGERR_ATTR_MSG (string), _OFFS, _COOKIE...
 * </pre>
 *
 * @param errno           positive errno, 0 for an ack
 * @param request         the header of the request this answers
 * @param message         NLMSGERR_ATTR_MSG, or null
 */
public record NetlinkError(int errno, NetlinkHeader request, String message) {

    public boolean isAck() {
        return errno == 0;
    }

    public static NetlinkError decode(NetlinkMessage message) throws NetlinkProtocolException {
        ByteBuffer in = message.payload();
        if (in.remaining() < 4 + Netlink.HEADER_LENGTH) {
            throw new NetlinkProtocolException("truncated NLMSG_ERROR: " + in.remaining() + " bytes");
        }
        int error = in.getInt();
        NetlinkHeader request = NetlinkHeader.read(in);
        String text = null;
        if (message.header().has(Netlink.NLM_F_ACK_TLVS)) {
            if (!message.header().has(Netlink.NLM_F_CAPPED)) {
                int skip = Netlink.align(request.length()) - Netlink.HEADER_LENGTH;
                if (skip < 0 || skip > in.remaining()) {
                    throw new NetlinkProtocolException("truncated NLMSG_ERROR: request of " + request.length()
                            + " bytes does not fit");
                }
                in.position(in.position() + skip);
            }
            String[] found = new String[1];
            Netlink.forEachAttribute(in, (type, data) -> {
                if (type == Netlink.NLMSGERR_ATTR_MSG) {
                    found[0] = Netlink.string(data);
                }
            });
            text = found[0];
        }
        return new NetlinkError(-error, request, text);
    }

    /** Encodes this error as the kernel would send it with NETLINK_CAP_ACK set (for tests and fakes). */
    public ByteBuffer encode(int portId) {
        int flags = Netlink.NLM_F_CAPPED | (message == null ? 0 : Netlink.NLM_F_ACK_TLVS);
        return Netlink.frame(Netlink.NLMSG_ERROR, flags, request.sequence(), portId, out -> {
            out.putInt(-errno);
            out.putInt(request.length()).putShort((short) request.type()).putShort((short) request.flags())
                    .putInt(request.sequence()).putInt(request.portId());
            if (message != null) {
                Netlink.putStringAttribute(out, Netlink.NLMSGERR_ATTR_MSG, message);
            }
        });
    }
}
