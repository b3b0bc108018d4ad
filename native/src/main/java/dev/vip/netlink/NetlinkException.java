package dev.vip.netlink;

import dev.vip.netlink.codec.Netlink;

/**
 * The kernel answered a netlink request with an error: carries the operation (e.g. {@code RTM_NEWADDR}),
 * the errno, the sequence number and the kernel's extended-ack text when it sent one.
 */
public final class NetlinkException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    private final int messageType;
    private final int sequence;
    private final String kernelMessage;

    public NetlinkException(int messageType, int sequence, int errno, String kernelMessage) {
        super(Netlink.typeName(messageType), errno, Netlink.typeName(messageType) + ": " + describe(errno)
                + (kernelMessage == null ? "" : ": " + kernelMessage));
        this.messageType = messageType;
        this.sequence = sequence;
        this.kernelMessage = kernelMessage;
    }

    public int messageType() {
        return messageType;
    }

    public int sequence() {
        return sequence;
    }

    /** The kernel's extended-ack text (NLMSGERR_ATTR_MSG), or null when it sent none. */
    public String kernelMessage() {
        return kernelMessage;
    }
}
