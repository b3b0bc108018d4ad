package dev.vip.core.daemon;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The FIFO that repmgr's one-liner writes {@code %n %e %s} lines to, with nothing heavier than sh:
 * {@code echo %n %e %s 1<>/run/vip/events}. Opening a FIFO read-write never blocks, so the one-liner
 * cannot hang repmgr whether the daemon runs or not; a write under PIPE_BUF bytes is atomic, so lines
 * never interleave. Mode 0660, group the events group (postgres): the shell's read-write open needs
 * read permission too; a member of that group could read (and so swallow) events, but it is the group
 * that writes them in the first place. Each line
 * is validated ({@link RepmgrEvent#parse}); anything else is logged and dropped.
 */
final class EventFifo {
    private final Path path;
    private final Integer gid;
    private final VipDaemon daemon;
    private final Consumer<String> log;
    private RandomAccessFile fifo;
    private volatile boolean stopping;
    private Thread reader;

    EventFifo(Path path, Integer gid, VipDaemon daemon, Consumer<String> log) {
        this.path = path;
        this.gid = gid;
        this.daemon = daemon;
        this.log = log;
    }

    void start() throws IOException {
        POSIX posix = POSIXFactory.getNativePOSIX();
        Files.deleteIfExists(path); // a FIFO left by a killed daemon: start clean
        if (posix.mkfifo(path.toString(), 0660) != 0) {
            throw new IOException("cannot make the events FIFO " + path + ": "
                    + jnr.constants.platform.Errno.valueOf(posix.errno()).description());
        }
        if (gid != null && posix.chown(path.toString(), -1, gid) != 0) {
            throw new IOException("cannot give the FIFO " + path + " to group " + gid + ": errno " + posix.errno()
                    + " (the daemon must be a member of that group)");
        }
        posix.chmod(path.toString(), 0660); // the umask may have cut the group's write bit
        // read-write: the open does not wait for a writer, and reads never see end-of-file
        fifo = new RandomAccessFile(path.toFile(), "rw");
        reader = new Thread(this::read, "vip-events");
        reader.setDaemon(true);
        reader.start();
    }

    /** A partial line older than this when more bytes come was abandoned by its writer: dropped. */
    static final long STALE_PARTIAL_MS = 500;

    private void read() {
        byte[] chunk = new byte[4096];
        byte[] line = new byte[RepmgrEvent.MAX_LINE + 1];
        int length = 0;
        boolean overlong = false;
        long lastBytes = 0;
        while (!stopping) {
            int n;
            try {
                n = fifo.read(chunk);
            } catch (IOException e) {
                if (!stopping) {
                    VipDaemon.fatal(log, "vip-events: cannot read the events FIFO " + path + ": " + e.getMessage());
                }
                return;
            }
            if (n < 0 && !stopping) {
                VipDaemon.fatal(log, "vip-events: the events FIFO " + path + " ended");
            }
            if (n < 0 || stopping) {
                return;
            }
            long now = System.currentTimeMillis();
            if ((length > 0 || overlong) && now - lastBytes > STALE_PARTIAL_MS) {
                // a writer left half a line and went away (a real one writes a whole line at once, under
                // PIPE_BUF bytes): it must not swallow the next writer's line
                log.accept("events FIFO: an unfinished line, left for " + (now - lastBytes) + " ms: dropped");
                length = 0;
                overlong = false;
            }
            lastBytes = now;
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                if (b != '\n') {
                    if (length < line.length) {
                        line[length++] = b;
                    } else {
                        overlong = true;
                    }
                    continue;
                }
                if (overlong) {
                    log.accept("events FIFO: a line over " + RepmgrEvent.MAX_LINE + " bytes: rejected");
                } else {
                    accept(line, length);
                }
                length = 0;
                overlong = false;
            }
        }
    }

    /** Whether the thread that reads the FIFO is alive (for the watchdog). */
    boolean alive() {
        return reader != null && reader.isAlive();
    }

    private void accept(byte[] raw, int length) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(raw, 0, length)).toString();
        } catch (CharacterCodingException e) {
            log.accept("events FIFO: a line that is not UTF-8: rejected");
            return;
        }
        RepmgrEvent.parse(text).ifPresentOrElse(
                event -> {
                    log.accept("repmgr event: node " + event.nodeId() + " " + event.event() + " success "
                            + (event.success() ? 1 : 0));
                    daemon.onRepmgrEvent(event);
                },
                () -> log.accept("events FIFO: '" + ControlServer.printable(text)
                        + "' is not 'NODE EVENT SUCCESS': rejected"));
    }

    void stop() {
        stopping = true;
        try (var wake = Files.newOutputStream(path)) {
            wake.write('\n'); // ends the blocking read
        } catch (IOException e) {
            // the reader ends with the process anyway
        }
        try {
            if (fifo != null) { // null when start() failed before opening it
                fifo.close();
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.accept("cannot remove " + path + ": " + e.getMessage());
        }
    }
}
