package dev.vip.tools;

import java.util.concurrent.locks.LockSupport;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;

/**
 * Benchmark helper: floods an interface with ARP requests about addresses other than the VIP
 * (198.51.100.200-250 asking for 203.0.113.x), at RATE frames per second for SECONDS seconds, then
 * stops by itself. Prints how many frames it sent.
 */
public final class ArpStorm {
    private ArpStorm() {
    }

    public static void main(String[] args) throws Exception {
        String ifname = args[0];
        int rate = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        byte[] frame = java.util.HexFormat.of().parseHex("ffffffffffff020000000063" + "0806"
                + "0001080006040001" + "020000000063" + "c63364c8" + "000000000000" + "cb007100");
        long total = (long) (rate * seconds);
        long periodNanos = 1_000_000_000L / rate;
        long sent = 0;
        try (PcapHandle handle = new PcapHandle.Builder(ifname).snaplen(64)
                .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS).timeoutMillis(10).build()) {
            long start = System.nanoTime();
            while (sent < total) {
                frame[31] = (byte) (200 + sent % 50);  // sender IP 198.51.100.200-249
                frame[41] = (byte) (sent % 250);        // target IP 203.0.113.0-249
                handle.sendPacket(frame);
                sent++;
                long due = start + sent * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 50_000) {
                    LockSupport.parkNanos(wait);
                }
            }
            double took = (System.nanoTime() - start) / 1e9;
            System.out.printf("sent %d frames in %.2f s (%.0f/s)%n", sent, took, sent / took);
        }
    }
}
