package dev.vip.core;

import dev.vip.netlink.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IcmpV6CommonPacket;
import org.pcap4j.packet.IcmpV6NeighborAdvertisementPacket;
import org.pcap4j.packet.IcmpV6NeighborSolicitationPacket;
import org.pcap4j.packet.IpV6NeighborDiscoveryTargetLinkLayerAddressOption;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.IpV6SimpleFlowLabel;
import org.pcap4j.packet.IpV6SimpleTrafficClass;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.namednumber.ArpHardwareType;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.packet.namednumber.IcmpV6Code;
import org.pcap4j.packet.namednumber.IcmpV6Type;
import org.pcap4j.packet.namednumber.IpNumber;
import org.pcap4j.packet.namednumber.IpVersion;

/**
 * The frames we put on the wire, built with pcap4j's packet classes. Pure: bytes out, no I/O.
 *
 * <pre>
 * Ethernet: dst(6) src(6) type(2)
 * ARP (RFC 826): htype 1 | ptype 0x0800 | hlen 6 | plen 4 | op | sha(6) | spa(4) | tha(6) | tpa(4)
 * IPv6 (RFC 8200): ver/tc/flow(4) | payload length(2) | next header 58 | hop limit 255 | src(16) | dst(16)
 * ICMPv6 NA (RFC 4861 §4.4): type 136 | code 0 | checksum | R S O flags + reserved(4) | target(16) | options
 * ICMPv6 NS (RFC 4861 §4.3): type 135 | code 0 | checksum | reserved(4) | target(16) | options
 * </pre>
 */
final class Frames {
    private static final Inet6Address ALL_NODES = v6("ff02::1");
    private static final Inet6Address UNSPECIFIED = v6("::");
    private static final Inet4Address ZERO = v4("0.0.0.0");

    private Frames() {
    }

    /** The gratuitous ARP REQUEST: broadcast, sender IP = target IP = VIP, target MAC zero. */
    public static byte[] arpAnnouncementRequest(MacAddress ours, Inet4Address vip) {
        return arp(ArpOperation.REQUEST, ours, vip, MacAddress.ZERO, vip, MacAddress.BROADCAST);
    }

    /** The gratuitous ARP REPLY: broadcast, sender IP = target IP = VIP, target MAC = sender MAC. */
    public static byte[] arpAnnouncementReply(MacAddress ours, Inet4Address vip) {
        return arp(ArpOperation.REPLY, ours, vip, ours, vip, MacAddress.BROADCAST);
    }

    /** RFC 5227 §2.1.1 probe: REQUEST, sender IP 0.0.0.0, target MAC zero, target IP the address. */
    public static byte[] arpProbe(MacAddress ours, Inet4Address address) {
        return arp(ArpOperation.REQUEST, ours, ZERO, MacAddress.ZERO, address, MacAddress.BROADCAST);
    }

    /**
     * RFC 4861 §7.2.6 unsolicited neighbour advertisement: to all nodes (ff02::1), hop limit 255,
     * Override set, Solicited clear, with our link-layer address as the Target Link-Layer Address option.
     * The source is the VIP itself, as the kernel does for its own NAs.
     */
    public static byte[] unsolicitedNeighborAdvertisement(MacAddress ours, Inet6Address vip) {
        IcmpV6NeighborAdvertisementPacket.Builder na = new IcmpV6NeighborAdvertisementPacket.Builder()
                .routerFlag(false).solicitedFlag(false).overrideFlag(true).reserved(0).targetAddress(vip)
                .options(List.of(new IpV6NeighborDiscoveryTargetLinkLayerAddressOption.Builder()
                        .linkLayerAddress(ours.toBytes()).correctLengthAtBuild(true).build()));
        return icmpv6(ours, vip, ALL_NODES, multicastMac(ALL_NODES), IcmpV6Type.NEIGHBOR_ADVERTISEMENT, na);
    }

    /**
     * RFC 4862 §5.4.2 duplicate address detection probe: a neighbour solicitation from the unspecified
     * address to the target's solicited-node multicast group, without a source link-layer option.
     */
    public static byte[] neighborSolicitationProbe(MacAddress ours, Inet6Address target) {
        Inet6Address group = solicitedNode(target);
        IcmpV6NeighborSolicitationPacket.Builder ns = new IcmpV6NeighborSolicitationPacket.Builder()
                .reserved(0).targetAddress(target).options(List.of());
        return icmpv6(ours, UNSPECIFIED, group, multicastMac(group), IcmpV6Type.NEIGHBOR_SOLICITATION, ns);
    }

    private static byte[] arp(ArpOperation op, MacAddress sha, Inet4Address spa, MacAddress tha, Inet4Address tpa,
                              MacAddress ethernetDestination) {
        ArpPacket.Builder arp = new ArpPacket.Builder()
                .hardwareType(ArpHardwareType.ETHERNET).protocolType(EtherType.IPV4)
                .hardwareAddrLength((byte) 6).protocolAddrLength((byte) 4).operation(op)
                .srcHardwareAddr(pcap(sha)).srcProtocolAddr(spa).dstHardwareAddr(pcap(tha)).dstProtocolAddr(tpa);
        return ethernet(ethernetDestination, sha, EtherType.ARP, arp).getRawData();
    }

    private static byte[] icmpv6(MacAddress ours, Inet6Address source, Inet6Address destination,
                                 MacAddress ethernetDestination, IcmpV6Type type, Packet.Builder body) {
        IcmpV6CommonPacket.Builder icmp = new IcmpV6CommonPacket.Builder().type(type).code(IcmpV6Code.NO_CODE)
                .srcAddr(source).dstAddr(destination).payloadBuilder(body).correctChecksumAtBuild(true);
        IpV6Packet.Builder ip = new IpV6Packet.Builder().version(IpVersion.IPV6)
                .trafficClass(IpV6SimpleTrafficClass.newInstance((byte) 0))
                .flowLabel(IpV6SimpleFlowLabel.newInstance(0)).nextHeader(IpNumber.ICMPV6)
                .hopLimit((byte) 255).srcAddr(source).dstAddr(destination).payloadBuilder(icmp)
                .correctLengthAtBuild(true);
        return ethernet(ethernetDestination, ours, EtherType.IPV6, ip).getRawData();
    }

    private static Packet ethernet(MacAddress destination, MacAddress source, EtherType type, Packet.Builder body) {
        return new EthernetPacket.Builder().dstAddr(pcap(destination)).srcAddr(pcap(source)).type(type)
                .payloadBuilder(body).pad(new byte[0]).paddingAtBuild(false).build();
    }

    /** RFC 4291 §2.7.1: ff02::1:ffXX:XXXX from the low 24 bits of the address. */
    static Inet6Address solicitedNode(Inet6Address target) {
        byte[] t = target.getAddress();
        byte[] g = new byte[16];
        g[0] = (byte) 0xff;
        g[1] = 0x02;
        g[11] = 0x01;
        g[12] = (byte) 0xff;
        g[13] = t[13];
        g[14] = t[14];
        g[15] = t[15];
        return v6(g);
    }

    /** RFC 2464 §7: 33:33 followed by the low 32 bits of the IPv6 multicast group. */
    static MacAddress multicastMac(Inet6Address group) {
        byte[] a = group.getAddress();
        return MacAddress.of(new byte[] {0x33, 0x33, a[12], a[13], a[14], a[15]});
    }

    static org.pcap4j.util.MacAddress pcap(MacAddress mac) {
        return org.pcap4j.util.MacAddress.getByAddress(mac.toBytes());
    }

    private static Inet6Address v6(String literal) {
        try {
            return (Inet6Address) InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Inet6Address v6(byte[] raw) {
        try {
            return Inet6Address.getByAddress(null, raw, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Inet4Address v4(String literal) {
        try {
            return (Inet4Address) InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
