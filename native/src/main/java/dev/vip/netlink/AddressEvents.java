package dev.vip.netlink;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A subscription to address changes (RTMGRP_IPV4_IFADDR and RTMGRP_IPV6_IFADDR): every add and delete
 * on every interface of this network namespace, ours included. When the kernel had to drop events
 * (the socket's queue overflowed), {@link #next} throws an {@link ErrnoException} with ENOBUFS: list the
 * addresses again to resynchronise.
 */
public final class AddressEvents implements Closeable {
    private final NetlinkSocket socket;
    private final Deque<AddressEvent> pending = new ArrayDeque<>();

    public AddressEvents(NetlinkSocket socket) {
        this.socket = socket;
    }

    public static AddressEvents open() throws IOException {
        return new AddressEvents(LibcNetlinkSocket.open(Netlink.RTMGRP_IPV4_IFADDR | Netlink.RTMGRP_IPV6_IFADDR));
    }

    /** The next event, or null when none came within the timeout. */
    public AddressEvent next(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.isEmpty()) {
            long left = deadline - System.nanoTime();
            ByteBuffer datagram = left > 0 ? socket.receive(Duration.ofNanos(left)) : null;
            if (datagram == null) {
                return null;
            }
            for (NetlinkMessage m : Netlink.split(datagram)) {
                int type = m.header().type();
                if (type == Netlink.RTM_NEWADDR || type == Netlink.RTM_DELADDR) {
                    pending.add(new AddressEvent(type == Netlink.RTM_NEWADDR
                            ? AddressEvent.Kind.ADDED : AddressEvent.Kind.REMOVED, AddressMessage.decode(m)));
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
