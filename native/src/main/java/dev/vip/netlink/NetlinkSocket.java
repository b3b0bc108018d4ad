package dev.vip.netlink;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/** A datagram socket to the kernel's rtnetlink; an interface so that tests can script the kernel. */
public interface NetlinkSocket extends Closeable {

    /** The port id the kernel gave this socket; replies carry it. */
    int portId();

    /** Sends one whole message (position to limit). */
    void send(ByteBuffer message) throws IOException;

    /**
     * Receives one datagram, waiting at most {@code timeout}.
     *
     * @return the datagram (position 0, limit its length), or null when the time ran out
     */
    ByteBuffer receive(Duration timeout) throws IOException;

    @Override
    void close() throws IOException;
}
