package dev.vip.tools;

import java.util.HexFormat;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;

/** Test helper: sends raw frames, given as hex, on an interface (for malformed-frame injection). */
public final class SendFrames {
    private SendFrames() {
    }

    public static void main(String[] args) throws Exception {
        try (PcapHandle handle = new PcapHandle.Builder(args[0]).snaplen(65535)
                .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS).timeoutMillis(10).build()) {
            for (int i = 1; i < args.length; i++) {
                handle.sendPacket(HexFormat.of().parseHex(args[i]));
            }
        }
        System.out.println("sent " + (args.length - 1));
    }
}
