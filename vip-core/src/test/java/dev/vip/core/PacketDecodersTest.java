package dev.vip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IllegalPacket;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.UnknownPacket;
import org.pcap4j.packet.factory.PacketFactories;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.packet.namednumber.IpNumber;
import org.pcap4j.packet.namednumber.IpV4OptionType;
import org.pcap4j.packet.IpV4Packet;
import org.junit.jupiter.api.Test;

/** pcap4j reads frames with vip's decoders: the payloads vip reads, every other one left unread. */
class PacketDecodersTest {
    @Test
    void pcap4jFindsVipsDecodersAsItsService() {
        assertEquals(PacketDecoders.class,
                PacketFactories.getFactory(Packet.class, EtherType.class).getClass().getEnclosingClass());
    }

    @Test
    void arpAndIpv6AreReadAnyOtherPayloadIsLeftUnread() throws Exception {
        assertInstanceOf(ArpPacket.class, EthernetPacket.newPacket(GoldenFrames.load("arping-U"), 0,
                GoldenFrames.load("arping-U").length).getPayload());
        byte[] na = GoldenFrames.load("kernel-solicited-na");
        assertInstanceOf(IpV6Packet.class, EthernetPacket.newPacket(na, 0, na.length).getPayload());
        byte[] ipv4 = GoldenFrames.load("arping-U").clone();
        ipv4[12] = 0x08; // the type says IPv4 (0x0800); the bytes are an ARP message's
        ipv4[13] = 0x00;
        assertInstanceOf(UnknownPacket.class, EthernetPacket.newPacket(ipv4, 0, ipv4.length).getPayload());
    }

    @Test
    void anArpMessageTooShortToReadIsAnIllegalPacket() throws Exception {
        byte[] arp = GoldenFrames.load("arping-U");
        byte[] cut = java.util.Arrays.copyOf(arp, 14 + 10);
        assertInstanceOf(IllegalPacket.class, EthernetPacket.newPacket(cut, 0, cut.length).getPayload());
    }

    @Test
    void aDecoderNoFrameOfOursNeedsIsRefusedNotGuessed() {
        assertThrows(IllegalStateException.class,
                () -> PacketFactories.getFactory(IpV4Packet.IpV4Option.class, IpV4OptionType.class));
        assertEquals(UnknownPacket.class, PacketFactories.getFactory(Packet.class, IpNumber.class)
                .getTargetClass(IpNumber.TCP));
    }
}
