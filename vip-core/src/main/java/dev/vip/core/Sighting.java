package dev.vip.core;

import dev.vip.netlink.MacAddress;
import java.net.InetAddress;

/**
 * What one received frame says about who holds an address.
 *
 * @param address the address concerned (ARP sender IP, or the NA/NS target)
 * @param mac     the link-layer address behind it (ARP sender MAC; the NA's target link-layer option,
 *                else the Ethernet source)
 * @param source  the Ethernet source of the frame
 */
public record Sighting(Kind kind, InetAddress address, MacAddress mac, MacAddress source) {

    public enum Kind {
        /** ARP REQUEST with sender IP = target IP: an announcement. */
        GRATUITOUS_ARP_REQUEST("arp-request"),
        /** ARP REPLY with sender IP = target IP. */
        GRATUITOUS_ARP_REPLY("arp-reply"),
        /** Any other ARP whose sender IP is the address: its sender uses it. */
        ARP_SENDER("arp"),
        /** ARP probe (sender IP 0.0.0.0) for the address: someone else is about to take it. */
        ARP_PROBE("arp-probe"),
        /** IPv6 neighbour advertisement for the target. */
        NEIGHBOR_ADVERTISEMENT("na");

        public final String text;

        Kind(String text) {
            this.text = text;
        }
    }

    /** Does this frame announce the address as its sender's (what the watcher acts on)? */
    public boolean isClaim() {
        return kind == Kind.GRATUITOUS_ARP_REQUEST || kind == Kind.GRATUITOUS_ARP_REPLY
                || kind == Kind.NEIGHBOR_ADVERTISEMENT;
    }
}
