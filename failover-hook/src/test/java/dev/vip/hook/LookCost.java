package dev.vip.hook;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * What one look at PostgreSQL costs the daemon's process in CPU, in a tight loop (scripts/bench-idle
 * runs it on each node of its cluster with LOOK_CALLS=N): a {@link ClusterTruth} look with the peers
 * asked, the standby VIP's {@link ClusterView}, and one round trip alone, prepared and not. Each is
 * repeated {@code CALLS} times to warm up, then {@code CALLS} times measured; printed: the process's CPU
 * (every thread's, the JIT's included) and the wall time, in microseconds per call. A loop keeps the
 * code compiled and the caches warm, which a look every 2 s does not have: it measures the work a look
 * asks for, not what the idle daemon pays for it (bench-idle's own figures).
 *
 * <p>Usage: {@code LookCost NODE-ID CONNINFO CALLS}
 */
public final class LookCost {
    private LookCost() {
    }

    public static void main(String[] args) throws Exception {
        int self = Integer.parseInt(args[0]);
        Conninfo local = Conninfo.parse(args[1]);
        int calls = Integer.parseInt(args[2]);
        Duration timeout = Duration.ofSeconds(1);
        try (ClusterTruth truth = new ClusterTruth(self, local, timeout, Duration.ofSeconds(30), line -> { });
             ClusterView.Reader reader = new ClusterView.Reader(local, timeout);
             Connection c = PgConnections.open(local, timeout, "vip bench");
             PreparedStatement one = c.prepareStatement("SELECT 1")) {
            Callable<?> look = () -> truth.observe(true);
            Callable<?> view = reader::read;
            Callable<?> prepared = () -> {
                try (ResultSet r = one.executeQuery()) {
                    return r.next();
                }
            };
            Callable<?> unprepared = () -> {
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
                    return r.next();
                }
            };
            for (boolean warmUp : new boolean[] {true, false}) {
                measure(warmUp, "a look (ClusterTruth.observe, peers asked)", look, calls);
                measure(warmUp, "the standby VIP's view (ClusterView.Reader)", view, calls);
                measure(warmUp, "one round trip, prepared (SELECT 1)", prepared, calls);
                measure(warmUp, "one round trip, a new Statement (SELECT 1)", unprepared, calls);
            }
        }
    }

    private static void measure(boolean warmUp, String what, Callable<?> call, int calls) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            call.call();
        }
        long wall = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        if (!warmUp) {
            System.out.printf("    %-46s CPU %6.1f us, wall %7.1f us a call (%d calls)%n", what,
                    cpu / 1000.0 / calls, wall / 1000.0 / calls, calls);
        }
    }
}
