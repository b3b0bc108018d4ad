package dev.vip.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/** A fake kernel: each request sent is answered by the next scripted function (request header to datagrams). */
final class ScriptedSocket implements NetlinkSocket {
    static final int PORT = 4242;

    final List<NetlinkHeader> sent = new ArrayList<>();
    private final Deque<Function<NetlinkHeader, List<ByteBuffer>>> script = new ArrayDeque<>();
    private final Deque<ByteBuffer> inbox = new ArrayDeque<>();
    boolean closed;

    ScriptedSocket then(Function<NetlinkHeader, List<ByteBuffer>> answer) {
        script.add(answer);
        return this;
    }

    static Function<NetlinkHeader, List<ByteBuffer>> error(int errno, String text) {
        return request -> List.of(new NetlinkError(errno, request, text).encode(PORT));
    }

    static Function<NetlinkHeader, List<ByteBuffer>> ack() {
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
    public ByteBuffer receive(Duration timeout) {
        return inbox.poll();
    }

    @Override
    public void close() {
        closed = true;
    }
}
