package dev.vip.core;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Kernel BPF filters (tcpdump syntax) that pass only the frames about one address, so that an ARP
 * storm about other addresses never wakes the watcher.
 *
 * <pre>
 * ARP payload offsets: op 6, sha 8, spa 14, tha 18, tpa 24
 * IPv6 + ICMPv6 (no extension headers, as RFC 4861 messages are sent): ICMP type at ip6[40],
 * NA/NS target at ip6[48..63]
 * </pre>
 */
final class CaptureFilters {
    private CaptureFilters() {
    }

    /** Announcements of the address: ARP with sender IP = target IP = address, or an NA for it. */
    public static String claims(InetAddress address) {
        if (address instanceof Inet4Address) {
            String a = word(address.getAddress(), 0);
            return "arp and arp[14:4] = " + a + " and arp[24:4] = " + a;
        }
        return neighborAdvertisementsFor(address.getAddress());
    }

    /** Answers to a probe for the address: any ARP whose sender IP is it, or an NA for it. */
    public static String probeAnswers(InetAddress address) {
        if (address instanceof Inet4Address) {
            return "arp and arp[14:4] = " + word(address.getAddress(), 0);
        }
        return neighborAdvertisementsFor(address.getAddress());
    }

    private static String neighborAdvertisementsFor(byte[] target) {
        return "icmp6 and ip6[40] = 136 and ip6[48:4] = " + word(target, 0) + " and ip6[52:4] = " + word(target, 4)
                + " and ip6[56:4] = " + word(target, 8) + " and ip6[60:4] = " + word(target, 12);
    }

    private static String word(byte[] raw, int offset) {
        long v = ((raw[offset] & 0xffL) << 24) | ((raw[offset + 1] & 0xffL) << 16) | ((raw[offset + 2] & 0xffL) << 8)
                | (raw[offset + 3] & 0xffL);
        return "0x" + Long.toHexString(v);
    }
}
