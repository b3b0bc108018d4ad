package dev.vip.core;

import dev.vip.netlink.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IcmpV6CommonPacket;
import org.pcap4j.packet.IcmpV6NeighborAdvertisementPacket;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpV6NeighborDiscoveryTargetLinkLayerAddressOption;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.namednumber.ArpHardwareType;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.packet.namednumber.IcmpV6Code;
import org.pcap4j.packet.namednumber.IpNumber;

/**
 * Reads what a received frame says about an address, with pcap4j's decoders. A frame about no address
 * (another protocol, another VLAN, an ICMPv6 message other than a valid RFC 4861 advertisement) gives
 * null, and so does one pcap4j refuses to read (shorter than an Ethernet header; {@link
 * IllegalRawDataException} or an index out of bounds while it parses: lengths that do not add up). Any
 * other exception is a bug here or in pcap4j and is thrown, not hidden: the watcher
 * and the prober catch it, say so, and go on with the next frame.
 */
final class FrameDecoder {
    private FrameDecoder() {
    }

    /** An Ethernet header: destination, source, type. */
    static final int ETHERNET_HEADER = 14;

    public static Sighting decode(byte[] frame) {
        if (frame.length < ETHERNET_HEADER) {
            return null; // pcap4j throws IllegalArgumentException on an empty array: not a frame at all
        }
        EthernetPacket ethernet;
        try {
            ethernet = EthernetPacket.newPacket(frame, 0, frame.length);
        } catch (IllegalRawDataException | IndexOutOfBoundsException e) {
            // pcap4j parses the whole frame here and refuses bytes it cannot read with the first, or, for
            // some truncated ICMPv6 messages, with the second (FrameDecoderTest found it)
            return null;
        }
        MacAddress source = mac(ethernet.getHeader().getSrcAddr());
        Packet payload = ethernet.getPayload();
        if (payload instanceof ArpPacket arp) {
            return arp(arp, source);
        }
        if (payload instanceof IpV6Packet ip) {
            return neighborAdvertisement(ip, source);
        }
        return null; // 802.1Q-tagged frames land here too: they belong to another VLAN
    }

    private static Sighting arp(ArpPacket arp, MacAddress source) {
        ArpPacket.ArpHeader h = arp.getHeader();
        if (!ArpHardwareType.ETHERNET.equals(h.getHardwareType()) || !EtherType.IPV4.equals(h.getProtocolType())
                || h.getHardwareAddrLengthAsInt() != 6 || h.getProtocolAddrLengthAsInt() != 4) {
            return null;
        }
        Inet4Address spa = (Inet4Address) h.getSrcProtocolAddr();
        Inet4Address tpa = (Inet4Address) h.getDstProtocolAddr();
        MacAddress sha = mac(h.getSrcHardwareAddr());
        boolean request = ArpOperation.REQUEST.equals(h.getOperation());
        boolean reply = ArpOperation.REPLY.equals(h.getOperation());
        if (!request && !reply) {
            return null;
        }
        if (spa.isAnyLocalAddress()) {
            return request ? new Sighting(Sighting.Kind.ARP_PROBE, tpa, sha, source) : null;
        }
        if (spa.equals(tpa)) {
            return new Sighting(request ? Sighting.Kind.GRATUITOUS_ARP_REQUEST : Sighting.Kind.GRATUITOUS_ARP_REPLY,
                    spa, sha, source);
        }
        return new Sighting(Sighting.Kind.ARP_SENDER, spa, sha, source);
    }

    /** RFC 4861 §7.1.2 validity: hop limit 255, ICMP code 0, target not multicast. */
    private static Sighting neighborAdvertisement(IpV6Packet ip, MacAddress source) {
        if (!IpNumber.ICMPV6.equals(ip.getHeader().getNextHeader()) || ip.getHeader().getHopLimitAsInt() != 255
                || !(ip.getPayload() instanceof IcmpV6CommonPacket icmp)
                || !IcmpV6Code.NO_CODE.equals(icmp.getHeader().getCode())
                || !(icmp.getPayload() instanceof IcmpV6NeighborAdvertisementPacket na)) {
            return null;
        }
        InetAddress target = na.getHeader().getTargetAddress();
        if (target.isMulticastAddress()) {
            return null;
        }
        MacAddress owner = source;
        for (IcmpV6CommonPacket.IpV6NeighborDiscoveryOption option : na.getHeader().getOptions()) {
            if (option instanceof IpV6NeighborDiscoveryTargetLinkLayerAddressOption tlla
                    && tlla.getLinkLayerAddress().length == 6) {
                owner = MacAddress.of(tlla.getLinkLayerAddress());
            }
        }
        return new Sighting(Sighting.Kind.NEIGHBOR_ADVERTISEMENT, target, owner, source);
    }

    private static MacAddress mac(org.pcap4j.util.MacAddress mac) {
        return MacAddress.of(mac.getAddress());
    }
}
