package dev.vip.hook;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** A peer that says nothing at all (cut off) is told from one that refuses (alive, its server down). */
class ClusterTruthTest {
    @Test
    void aTimeoutOrNoRouteIsSilence() {
        assertTrue(ClusterTruth.silent(new SQLException("The connection attempt failed.",
                new SocketTimeoutException("connect timed out"))));
        assertTrue(ClusterTruth.silent(new SQLException("An I/O error occurred while sending to the backend.",
                new SocketTimeoutException("Read timed out"))));
        assertTrue(ClusterTruth.silent(new SQLException("The connection attempt failed.",
                new NoRouteToHostException("No route to host"))));
        assertTrue(ClusterTruth.silent(new SQLException("Connection attempt timed out."))); // pgjdbc's loginTimeout
    }

    @Test
    void aRefusalOrAServerErrorIsAnAnswer() {
        assertFalse(ClusterTruth.silent(new SQLException("Connection to 198.51.100.12:5432 refused.",
                new ConnectException("Connection refused"))));
        assertFalse(ClusterTruth.silent(new SQLException("FATAL: the database system is starting up")));
    }
}
