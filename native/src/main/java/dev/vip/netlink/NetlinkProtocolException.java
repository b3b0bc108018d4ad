package dev.vip.netlink;

import java.io.IOException;

/** A reply that cannot be decoded (truncated, bad lengths) or that never came within the timeout. */
public final class NetlinkProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public NetlinkProtocolException(String message) {
        super(message);
    }
}
