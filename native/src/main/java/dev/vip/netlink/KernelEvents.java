package dev.vip.netlink;

import dev.vip.netlink.codec.Netlink;
import dev.vip.netlink.codec.NetlinkMessage;
import dev.vip.netlink.libc.LibcNetlinkSocket;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A subscription to rtnetlink multicast groups: address changes (RTMGRP_IPV4_IFADDR and
 * RTMGRP_IPV6_IFADDR), and link changes (RTMGRP_LINK) when asked. Every change on every interface of
 * this network namespace arrives, ours included. When the kernel had to drop events (the socket's queue
 * overflowed), {@link #next} throws an {@link ErrnoException} with ENOBUFS: read the state again.
 */
public final class KernelEvents implements Closeable {
    private final NetlinkSocket socket;
    private final Deque<KernelEvent> pending = new ArrayDeque<>();

    public KernelEvents(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Address events only. */
    public static KernelEvents addresses() throws IOException {
        return new KernelEvents(LibcNetlinkSocket.open(Netlink.RTMGRP_IPV4_IFADDR | Netlink.RTMGRP_IPV6_IFADDR));
    }

    /** Address and link events. */
    public static KernelEvents addressesAndLinks() throws IOException {
        return new KernelEvents(LibcNetlinkSocket.open(Netlink.RTMGRP_IPV4_IFADDR | Netlink.RTMGRP_IPV6_IFADDR
                | Netlink.RTMGRP_LINK));
    }

    /** The next event, or null when none came within the timeout. */
    public KernelEvent next(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.isEmpty()) {
            long left = deadline - System.nanoTime();
            ByteBuffer datagram = left > 0 ? socket.receive(Duration.ofNanos(left)) : null;
            if (datagram == null) {
                return null;
            }
            for (NetlinkMessage m : Netlink.split(datagram)) {
                switch (m.header().type()) {
                    case Netlink.RTM_NEWADDR -> pending.add(new AddressEvent(AddressEvent.Kind.ADDED,
                            AddressMessage.decode(m)));
                    case Netlink.RTM_DELADDR -> pending.add(new AddressEvent(AddressEvent.Kind.REMOVED,
                            AddressMessage.decode(m)));
                    case Netlink.RTM_NEWLINK -> pending.add(new LinkEvent(false, LinkMessage.decode(m)));
                    case Netlink.RTM_DELLINK -> pending.add(new LinkEvent(true, LinkMessage.decode(m)));
                    default -> {
                        // nothing else is sent to these groups
                    }
                }
            }
        }
        return pending.poll();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
