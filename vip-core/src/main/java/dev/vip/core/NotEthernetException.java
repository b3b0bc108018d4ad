package dev.vip.core;

import java.io.IOException;

/** The interface exists but cannot carry a VIP at layer 2: it has no Ethernet address. */
public final class NotEthernetException extends IOException {
    private static final long serialVersionUID = 1L;

    public NotEthernetException(String interfaceName) {
        super(interfaceName + " is not an Ethernet interface");
    }
}
