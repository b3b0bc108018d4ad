package dev.vip.tools;

import dev.vip.netlink.AddressEvent;
import dev.vip.netlink.KernelEvents;
import java.time.Duration;

/**
 * Test helper: subscribes to address events in the namespace it runs in, prints "ready", then one line
 * per event ("ADDED 198.51.100.10/32 index 3 label eth0") until it has printed COUNT of them or
 * TIMEOUT_MS passed without one.
 */
public final class PrintAddressEvents {
    private PrintAddressEvents() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        Duration timeout = Duration.ofMillis(Long.parseLong(args[1]));
        try (KernelEvents events = KernelEvents.addresses()) {
            System.out.println("ready");
            System.out.flush();
            for (int i = 0; i < count; i++) {
                AddressEvent e = (AddressEvent) events.next(timeout);
                if (e == null) {
                    System.out.println("timeout");
                    return;
                }
                String address = e.address().primaryAddress().getHostAddress();
                System.out.println(e.kind() + " " + address + "/" + e.address().prefixLength() + " index "
                        + e.address().interfaceIndex() + " label " + e.address().label());
                System.out.flush();
            }
        }
    }
}
