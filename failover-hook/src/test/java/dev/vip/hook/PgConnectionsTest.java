package dev.vip.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PgConnectionsTest {
    /**
     * A hung server (it takes the connection and never answers): the login gives up, and the connection is
     * closed soon after, not left queued there, to take a backend when the server continues.
     */
    @Test
    void aLoginGivenUpOnLeavesNoConnectionBehind() throws IOException {
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Conninfo conninfo = Conninfo.parse("host=127.0.0.1 port=" + hung.getLocalPort()
                    + " user=vip dbname=repmgr sslmode=disable");
            assertThrows(SQLException.class, () -> PgConnections.open(conninfo, Duration.ofSeconds(1), "test"));
            try (Socket taken = hung.accept()) {
                taken.setSoTimeout(500);
                assertEquals(-1, readUntilClosed(taken.getInputStream()), "the client's end is still open");
            }
        }
    }

    /** Reads what the client sent (its startup packet) until it closes (-1), or 10 s pass (0). */
    private static int readUntilClosed(InputStream in) throws IOException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        byte[] buffer = new byte[512];
        while (System.nanoTime() < end) {
            try {
                if (in.read(buffer) < 0) {
                    return -1;
                }
            } catch (SocketTimeoutException e) {
                // not yet
            }
        }
        return 0;
    }
}
