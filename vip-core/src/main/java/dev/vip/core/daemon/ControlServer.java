package dev.vip.core.daemon;

import dev.vip.core.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import jnr.enxio.channels.NativeSelectorProvider;
import jnr.unixsocket.Credentials;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

/**
 * The control socket: one request line per connection ({@link Request}), one JSON line back
 * ({@link Answers}). Anyone may connect (mode 0666) and ask for the status; who may claim and release is
 * decided from the peer's credentials (SO_PEERCRED, {@link Authorizer}), never from the file mode, so
 * that a refused peer is told why.
 *
 * <p>No client can stall another: one thread waits on every connection at once (a selector) and hands
 * each complete line to a worker, so a client that dribbles a byte a second, or a thousand that connect
 * and say nothing, cost a file descriptor each and delay nobody. A request must arrive whole within
 * {@link #DEADLINE_MS} of the connection (a total, not per read) and within {@link #MAX_REQUEST} bytes.
 * Each user (the peer's uid, SO_PEERCRED) may have {@link #PER_USER} connections waiting; more close its
 * own oldest, so a flooding user delays nobody else (at most {@link #MAX_CONNECTIONS} in all: then the
 * oldest of the user with the most goes). Accepted
 * changes are logged one line each; refusals at most one line per {@link Answers#REFUSAL_LOG_MS}, with a
 * count.
 */
final class ControlServer {
    static final int MAX_REQUEST = 256;
    static final long DEADLINE_MS = DaemonClient.REQUEST_DEADLINE_MS;
    static final int MAX_CONNECTIONS = 1024;
    static final int PER_USER = 32;
    static final int ACCEPT_BATCH = 16;

    private final Path path;
    private final Answers answers;
    private final Consumer<String> log;
    private final ExecutorService workers = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(MAX_CONNECTIONS), r -> {
                Thread t = new Thread(r, "vip-control-worker");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.CallerRunsPolicy());
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private final java.util.Map<Integer, ArrayDeque<Pending>> byUser = new java.util.HashMap<>();
    private UnixServerSocketChannel server;
    private Selector selector;
    private volatile boolean stopping;
    private Thread thread;

    /** A connection whose request line has not arrived whole yet. */
    private static final class Pending {
        final UnixSocketChannel channel;
        final SelectionKey key;
        final long deadline;
        final Credentials who;
        final ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);

        Pending(UnixSocketChannel channel, SelectionKey key, long deadline, Credentials who) {
            this.channel = channel;
            this.key = key;
            this.deadline = deadline;
            this.who = who;
        }
    }

    ControlServer(Path path, Answers answers, Consumer<String> log) {
        this.path = path;
        this.answers = answers;
        this.log = log;
    }

    void start() throws IOException {
        if (Files.exists(path)) {
            if (DaemonClient.isListening(path)) {
                throw new IOException("another daemon is listening on " + path);
            }
            Files.delete(path); // left by a daemon that was killed
        }
        server = UnixServerSocketChannel.open();
        try {
            server.socket().bind(new UnixSocketAddress(path.toFile()));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot make the control socket " + path + ": " + e.getMessage(), e);
        }
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
        server.configureBlocking(false);
        selector = NativeSelectorProvider.getInstance().openSelector();
        server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::serve, "vip-control");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the thread that serves the socket is alive (for the watchdog). */
    boolean alive() {
        return thread != null && thread.isAlive();
    }

    private void serve() {
        while (!stopping) {
            try {
                long next = waiting.isEmpty() ? 0 : Math.max(1, waiting.peekFirst().deadline - System.currentTimeMillis());
                selector.select(next);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.isReadable()) {
                        read((Pending) key.attachment());
                    }
                }
                expire();
            } catch (IOException | RuntimeException e) {
                if (!stopping) {
                    log.accept("control socket: " + e.getMessage());
                    sleepQuietly();
                }
            }
        }
    }

    private void accept() throws IOException {
        UnixSocketChannel peer;
        // a bounded batch per round: a client that connects as fast as we accept must not keep this thread
        // from reading the requests already waiting (they would pass their deadline unread)
        for (int i = 0; i < ACCEPT_BATCH && (peer = server.accept()) != null; i++) {
            Credentials who;
            try {
                who = peer.getOption(UnixSocketOptions.SO_PEERCRED);
            } catch (IOException | RuntimeException e) {
                peer.close();
                continue;
            }
            ArrayDeque<Pending> mine = byUser.computeIfAbsent(who.getUid(), k -> new ArrayDeque<>());
            if (mine.size() >= PER_USER) {
                forget(mine.peekFirst()); // its own oldest has had the longest to say something
            } else if (waiting.size() >= MAX_CONNECTIONS) {
                byUser.values().stream().max(java.util.Comparator.comparingInt(ArrayDeque::size))
                        .ifPresent(most -> forget(most.peekFirst()));
            }
            peer.configureBlocking(false);
            SelectionKey key = peer.register(selector, SelectionKey.OP_READ);
            Pending p = new Pending(peer, key, System.currentTimeMillis() + DEADLINE_MS, who);
            key.attach(p);
            waiting.addLast(p);
            mine.addLast(p);
        }
    }

    /** Drops a waiting connection unanswered. */
    private void forget(Pending p) {
        if (p == null) {
            return;
        }
        unlist(p);
        answers.refused("a connection closed unanswered: its user had too many waiting", null);
        close(p);
    }

    private void unlist(Pending p) {
        waiting.remove(p);
        ArrayDeque<Pending> mine = byUser.get(p.who.getUid());
        if (mine != null) {
            mine.remove(p);
            if (mine.isEmpty()) {
                byUser.remove(p.who.getUid());
            }
        }
    }

    private void read(Pending p) {
        int n;
        try {
            n = p.channel.read(p.in);
        } catch (IOException e) {
            n = -1;
        }
        int from = p.in.position() - Math.max(n, 0);
        for (int i = from; i < p.in.position(); i++) {
            if (p.in.get(i) == '\n') {
                dispatch(p, decode(p.in.array(), i));
                return;
            }
        }
        if (n < 0 || !p.in.hasRemaining()) {
            // closed before a whole line, or a line longer than any request: answered and closed
            dispatch(p, null);
        }
    }

    /**
     * Closes the connections whose request did not arrive whole in time, after a last read: a request
     * that came while this thread was busy is answered, not dropped unread.
     */
    private void expire() {
        long now = System.currentTimeMillis();
        List<Pending> due = new ArrayList<>();
        for (Pending p : waiting) {
            if (p.deadline > now) {
                break; // in order of arrival, so of deadline
            }
            due.add(p);
        }
        for (Pending p : due) {
            read(p);
            if (waiting.contains(p)) {
                unlist(p);
                answers.refused("a request that did not arrive whole within " + DEADLINE_MS + " ms", null);
                close(p);
            }
        }
    }

    /** Hands a read line (null: unreadable) to a worker, which answers and closes. */
    private void dispatch(Pending p, String line) {
        unlist(p);
        p.key.cancel();
        workers.execute(() -> {
            try {
                Json reply = answers.answer(line, new Answers.Peer(p.who.getUid(), p.who.getGid(), p.who.getPid()));
                // still non-blocking: a reply fits the socket's buffer many times over, unless the peer
                // stopped reading, and then it is dropped after the deadline
                ByteBuffer out = ByteBuffer.wrap((reply + "\n").getBytes(StandardCharsets.UTF_8));
                long until = System.currentTimeMillis() + DEADLINE_MS;
                while (out.hasRemaining() && System.currentTimeMillis() < until) {
                    if (p.channel.write(out) == 0) {
                        Thread.sleep(5);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the peer went away, or will not read its answer: nothing more to do for it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close(p);
            }
        });
    }

    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 || c == 0x7f || c == '\'' ? '?' : c);
        }
        return out.length() > 64 ? out.substring(0, 64) + "..." : out.toString();
    }

    private static String decode(byte[] raw, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw, 0, length)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    private static void close(Pending p) {
        if (p == null) {
            return;
        }
        p.key.cancel();
        try {
            p.channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop() {
        stopping = true;
        if (selector != null) {
            selector.wakeup();
        }
        try {
            if (thread != null) {
                thread.join(1000);
            }
            waiting.forEach(ControlServer::close);
            if (selector != null) {
                selector.close();
            }
            server.close();
        } catch (IOException e) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.accept("cannot remove " + path + ": " + e.getMessage());
        }
    }
}
