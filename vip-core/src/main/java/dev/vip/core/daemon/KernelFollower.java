package dev.vip.core.daemon;

import dev.vip.core.Vip;
import dev.vip.netlink.AddressEvent;
import dev.vip.netlink.ErrnoException;
import dev.vip.netlink.KernelEvent;
import dev.vip.netlink.KernelEvents;
import dev.vip.netlink.LinkEvent;
import dev.vip.netlink.LinkMessage;
import java.io.IOException;
import java.time.Duration;

/**
 * The daemon's kernel-event loop: of every address and link change in the namespace, the ones that
 * concern its VIP (the address removed; its interface down, or up again), told to the daemon. After an
 * error it subscribes again and tells the daemon to look (events may have been lost meanwhile: ENOBUFS
 * when the socket's queue overflowed), pausing first unless the error was the kernel's ENOBUFS.
 */
final class KernelFollower implements Runnable {
    /** A fresh subscription to address and link events. */
    interface Subscription {
        KernelEvents open() throws IOException;
    }

    /** What the loop tells the daemon, and asks it. */
    interface Daemon {
        boolean stopping();

        /** The VIP's address was removed (or events may have been lost): look. */
        void addressRemoved(String why);

        /** The interface's state, on every link event for it. */
        void link(boolean up);

        /** The interface came back up. */
        void linkUp();

        /** The interface went down. */
        void linkDown();

        void log(String line);

        /** Waits before subscribing again after an error that is not the kernel's. */
        void pause(Duration d);
    }

    static final Duration WAIT = Duration.ofMinutes(10); // an idle daemon wakes for nothing
    static final Duration AFTER_ERROR = Duration.ofMillis(200);

    private final Vip vip;
    private final Subscription subscription;
    private final Daemon daemon;

    KernelFollower(Vip vip, Subscription subscription, Daemon daemon) {
        this.vip = vip;
        this.subscription = subscription;
        this.daemon = daemon;
    }

    @Override
    public void run() {
        boolean wasUp = true;
        boolean first = true;
        while (!daemon.stopping()) {
            try (KernelEvents events = subscription.open()) {
                if (!first) {
                    daemon.addressRemoved("resubscribed to kernel events"); // events may have been lost meanwhile
                }
                first = false;
                while (!daemon.stopping()) {
                    KernelEvent event = events.next(WAIT);
                    if (event instanceof AddressEvent a && a.kind() == AddressEvent.Kind.REMOVED
                            && vip.prefix().address().equals(a.address().primaryAddress())) {
                        daemon.addressRemoved("the address was removed");
                    } else if (event instanceof LinkEvent l && vip.interfaceName().equals(l.link().name())) {
                        boolean up = !l.removed() && l.link().has(LinkMessage.IFF_UP | LinkMessage.IFF_LOWER_UP);
                        daemon.link(up);
                        if (up && !wasUp) {
                            daemon.linkUp();
                        } else if (!up && wasUp) {
                            daemon.linkDown();
                        }
                        wasUp = up;
                    }
                }
            } catch (ErrnoException e) {
                daemon.log("kernel events: " + e.getMessage() + ": resubscribing");
            } catch (IOException e) {
                daemon.log("kernel events: " + e.getMessage() + ": resubscribing");
                daemon.pause(AFTER_ERROR);
            }
        }
    }
}
