package dev.vip.netlink;

import dev.vip.netlink.codec.Netlink;
import dev.vip.netlink.codec.NetlinkError;
import dev.vip.netlink.codec.NetlinkHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * A fake kernel, for this module's tests and (published in the test jar) other modules': each request
 * sent is answered by the next scripted function (request header to datagrams); {@link #deliver} queues
 * what the kernel sends unasked (multicast events), {@link #failReceive} an error a receive throws
 * (ENOBUFS: events were dropped). A receive with nothing queued returns at once, as a timeout would.
 */
public final class ScriptedSocket implements NetlinkSocket {
    public static final int PORT = 4242;

    /** The headers of the requests sent, in order. */
    public final List<NetlinkHeader> sent = new ArrayList<>();
    private final Deque<Function<NetlinkHeader, List<ByteBuffer>>> script = new ArrayDeque<>();
    private final Deque<Object> inbox = new ArrayDeque<>(); // ByteBuffer or IOException
    private boolean closed;

    public ScriptedSocket then(Function<NetlinkHeader, List<ByteBuffer>> answer) {
        script.add(answer);
        return this;
    }

    /** A datagram the kernel sends without being asked (an event of a subscribed group). */
    public ScriptedSocket deliver(ByteBuffer datagram) {
        inbox.add(datagram);
        return this;
    }

    /** The next receive throws this (after the datagrams queued before it). */
    public ScriptedSocket failReceive(IOException error) {
        inbox.add(error);
        return this;
    }

    /** Whether anything is still queued for receive. */
    public boolean drained() {
        return inbox.isEmpty();
    }

    public boolean closed() {
        return closed;
    }

    public static Function<NetlinkHeader, List<ByteBuffer>> error(int errno, String text) {
        return request -> List.of(new NetlinkError(errno, request, text).encode(PORT));
    }

    public static Function<NetlinkHeader, List<ByteBuffer>> ack() {
        return error(0, null);
    }

    @Override
    public int portId() {
        return PORT;
    }

    @Override
    public void send(ByteBuffer message) throws IOException {
        NetlinkHeader header = Netlink.split(message).get(0).header();
        sent.add(header);
        if (!script.isEmpty()) {
            inbox.addAll(script.poll().apply(header));
        }
    }

    @Override
    public ByteBuffer receive(Duration timeout) throws IOException {
        Object next = inbox.poll();
        if (next instanceof IOException e) {
            throw e;
        }
        return (ByteBuffer) next;
    }

    @Override
    public void close() {
        closed = true;
    }
}
