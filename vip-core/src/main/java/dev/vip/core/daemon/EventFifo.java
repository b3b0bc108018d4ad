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
            throw new IOException("cannot create the FIFO " + path + ": errno " + posix.errno());
        }
        if (gid != null && posix.chown(path.toString(), -1, gid) != 0) {
            throw new IOException("cannot give the FIFO " + path + " to group " + gid + ": errno " + posix.errno()
                    + " (the daemon must be a member of that group)");
        }
        posix.chmod(path.toString(), 0660); // the umask may have cut the group's write bit
        // read-write: the open does not wait for a writer, and reads never see end-of-file
        fifo = new RandomAccessFile(path.toFile(), "rw");
        Thread t = new Thread(this::read, "vip-events");
        t.setDaemon(true);
        t.start();
    }

    private void read() {
        byte[] line = new byte[RepmgrEvent.MAX_LINE + 1];
        int length = 0;
        boolean overlong = false;
        while (!stopping) {
            int b;
            try {
                b = fifo.read();
            } catch (IOException e) {
                if (!stopping) {
                    log.accept("events FIFO: " + e.getMessage());
                }
                return;
            }
            if (b < 0 || stopping) {
                return;
            }
            if (b != '\n') {
                if (length < line.length) {
                    line[length++] = (byte) b;
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
            fifo.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.accept("cannot remove " + path + ": " + e.getMessage());
        }
    }
}
