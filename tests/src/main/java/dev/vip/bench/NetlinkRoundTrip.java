package dev.vip.bench;

import dev.vip.netlink.LinkMessage;
import dev.vip.netlink.RtnetlinkClient;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * In-process add+delete round trips through our rtnetlink client, side by side with {@code ip -batch}
 * doing the same operations, in the namespace this runs in (scripts/bench-netlink makes it).
 * Prints the median microseconds per operation of each and their ratio.
 *
 * <p>Usage: {@code NetlinkRoundTrip IF ADDRESSES ROUNDS}
 */
public final class NetlinkRoundTrip {
    private NetlinkRoundTrip() {
    }

    public static void main(String[] args) throws Exception {
        String ifname = args[0];
        int count = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        if (count < 1 || count > 250) {
            throw new IllegalArgumentException("1-250 addresses (one /24 of 198.51.100.0)");
        }
        List<InetAddress> addresses = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            addresses.add(InetAddress.getByName("198.51.100." + i));
        }
        Path batch = Files.createTempFile("vip-bench", ".batch");
        StringBuilder script = new StringBuilder();
        for (InetAddress a : addresses) {
            script.append("addr add ").append(a.getHostAddress()).append("/32 dev ").append(ifname).append('\n');
        }
        for (InetAddress a : addresses) {
            script.append("addr del ").append(a.getHostAddress()).append("/32 dev ").append(ifname).append('\n');
        }
        Files.writeString(batch, script);

        double[] ours = new double[rounds];
        double[] ip = new double[rounds];
        try (RtnetlinkClient client = RtnetlinkClient.open()) {
            LinkMessage link = client.link(ifname);
            oursOnce(client, link.index(), addresses); // warm-up: class loading and JIT
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                oursOnce(client, link.index(), addresses);
                long t1 = System.nanoTime();
                ipBatch(batch);
                long t2 = System.nanoTime();
                ours[r] = (t1 - t0) / 1000.0 / (2 * count);
                ip[r] = (t2 - t1) / 1000.0 / (2 * count);
            }
        } finally {
            Files.deleteIfExists(batch);
        }
        double medianOurs = median(ours);
        double medianIp = median(ip);
        System.out.printf("operations per round: %d (%d add + %d delete), rounds: %d%n", 2 * count, count, count,
                rounds);
        System.out.printf("our client, in process:  median %.1f us/op%n", medianOurs);
        System.out.printf("ip -batch (one process): median %.1f us/op%n", medianIp);
        System.out.printf("ratio ours / ip -batch:  %.2f%n", medianOurs / medianIp);
    }

    private static void oursOnce(RtnetlinkClient client, int index, List<InetAddress> addresses) throws IOException {
        for (InetAddress a : addresses) {
            client.addAddress(new RtnetlinkClient.AddRequest(index, a, 32, null, false, false, null));
        }
        for (InetAddress a : addresses) {
            client.deleteAddress(index, a, 32);
        }
    }

    private static void ipBatch(Path batch) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "-batch", batch.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("ip -batch failed");
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
