package dev.vip.core;

import java.util.Map;
import java.util.function.BiFunction;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.IcmpV6CommonPacket;
import org.pcap4j.packet.IcmpV6CommonPacket.IpV6NeighborDiscoveryOption;
import org.pcap4j.packet.IcmpV6NeighborAdvertisementPacket;
import org.pcap4j.packet.IllegalIpV6NeighborDiscoveryOption;
import org.pcap4j.packet.IllegalPacket;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpV6NeighborDiscoveryTargetLinkLayerAddressOption;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.IpV6Packet.IpV6FlowLabel;
import org.pcap4j.packet.IpV6Packet.IpV6TrafficClass;
import org.pcap4j.packet.IpV6SimpleFlowLabel;
import org.pcap4j.packet.IpV6SimpleTrafficClass;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.UnknownIpV6NeighborDiscoveryOption;
import org.pcap4j.packet.UnknownPacket;
import org.pcap4j.packet.factory.PacketFactory;
import org.pcap4j.packet.factory.PacketFactoryBinder;
import org.pcap4j.packet.factory.PacketFactoryBinderProvider;
import org.pcap4j.packet.factory.StaticUnknownPacketFactory;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.packet.namednumber.IcmpV6Type;
import org.pcap4j.packet.namednumber.IpNumber;
import org.pcap4j.packet.namednumber.IpV6NeighborDiscoveryOptionType;
import org.pcap4j.packet.namednumber.NamedNumber;
import org.pcap4j.packet.namednumber.NotApplicable;
import org.pcap4j.util.ByteArrays;

/**
 * The decoders pcap4j reads a frame's payloads with, for vip: a {@link PacketFactoryBinderProvider} (a
 * service pcap4j looks for) that knows only the frames vip reads, Ethernet carrying ARP, or IPv6 carrying
 * ICMPv6 with a neighbour advertisement and its options. Every other payload stays an {@link UnknownPacket},
 * unread, and a payload pcap4j refuses becomes an {@link IllegalPacket}, as with pcap4j's own binder.
 * That one (pcap4j-packetfactory-static) builds a decoder for every protocol pcap4j knows when the first
 * frame is read: about 250 classes in every process that reads frames, the daemon's included.
 */
public final class PacketDecoders implements PacketFactoryBinderProvider, PacketFactoryBinder {
    /** A payload's decoder: one of pcap4j's {@code newPacket} methods. */
    @FunctionalInterface
    private interface Decoder {
        Packet decode(byte[] raw, int offset, int length) throws IllegalRawDataException;
    }

    private static final Payloads<EtherType> ETHERNET = new Payloads<>(Map.of(
            EtherType.ARP, new Known(ArpPacket.class, ArpPacket::newPacket),
            EtherType.IPV6, new Known(IpV6Packet.class, IpV6Packet::newPacket)));
    private static final Payloads<IpNumber> IPV6 = new Payloads<>(Map.of(
            IpNumber.ICMPV6, new Known(IcmpV6CommonPacket.class, IcmpV6CommonPacket::newPacket)));
    private static final Payloads<IcmpV6Type> ICMPV6 = new Payloads<>(Map.of(
            IcmpV6Type.NEIGHBOR_ADVERTISEMENT, new Known(IcmpV6NeighborAdvertisementPacket.class,
                    IcmpV6NeighborAdvertisementPacket::newPacket)));
    /** IPv6's unknown next headers are tried as extension headers (NotApplicable): left unread here. */
    private static final Payloads<NotApplicable> NONE = new Payloads<>(Map.of());

    @Override
    public PacketFactoryBinder getBinder() {
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T, N extends NamedNumber<?, ?>> PacketFactory<T, N> getPacketFactory(Class<T> target, Class<N> number) {
        Object factory = null;
        if (target == Packet.class) {
            factory = number == EtherType.class ? ETHERNET : number == IpNumber.class ? IPV6
                    : number == IcmpV6Type.class ? ICMPV6 : NONE;
        } else if (target == IpV6TrafficClass.class) {
            factory = HeaderField.TRAFFIC_CLASS;
        } else if (target == IpV6FlowLabel.class) {
            factory = HeaderField.FLOW_LABEL;
        } else if (target == IpV6NeighborDiscoveryOption.class) {
            factory = NeighborDiscoveryOptions.INSTANCE;
        }
        if (factory == null) {
            // only a decoder above asks, and none of them for this: a change in pcap4j, caught by the tests
            throw new IllegalStateException("vip reads no " + target.getName() + " by " + number.getName());
        }
        return (PacketFactory<T, N>) factory;
    }

    private record Known(Class<? extends Packet> type, Decoder decoder) {
    }

    /** Payloads by the number that names them; any other number's payload stays unread. */
    private record Payloads<N extends NamedNumber<?, ?>>(Map<N, Known> known) implements PacketFactory<Packet, N> {
        @Override
        public Packet newInstance(byte[] raw, int offset, int length, N number) {
            Known k = known.get(number);
            if (k == null) {
                return newInstance(raw, offset, length);
            }
            try {
                return k.decoder().decode(raw, offset, length);
            } catch (IllegalRawDataException e) {
                return IllegalPacket.newPacket(raw, offset, length);
            }
        }

        @Override
        public Packet newInstance(byte[] raw, int offset, int length) {
            return StaticUnknownPacketFactory.getInstance().newInstance(raw, offset, length);
        }

        @Override
        public Class<? extends Packet> getTargetClass(N number) {
            Known k = known.get(number);
            return k == null ? getTargetClass() : k.type();
        }

        @Override
        public Class<? extends Packet> getTargetClass() {
            return StaticUnknownPacketFactory.getInstance().getTargetClass();
        }
    }

    /** A field of an IPv6 header that pcap4j reads through a factory: the traffic class, the flow label. */
    private record HeaderField<T>(Class<? extends T> type, BiFunction<byte[], Integer, T> read)
            implements PacketFactory<T, NotApplicable> {
        static final HeaderField<IpV6TrafficClass> TRAFFIC_CLASS = new HeaderField<>(IpV6SimpleTrafficClass.class,
                (raw, offset) -> IpV6SimpleTrafficClass.newInstance(raw[offset])); // one byte
        static final HeaderField<IpV6FlowLabel> FLOW_LABEL = new HeaderField<>(IpV6SimpleFlowLabel.class,
                (raw, offset) -> IpV6SimpleFlowLabel.newInstance(ByteArrays.getInt(raw, offset))); // the int holding it

        @Override
        public T newInstance(byte[] raw, int offset, int length, NotApplicable number) {
            return newInstance(raw, offset, length);
        }

        @Override
        public T newInstance(byte[] raw, int offset, int length) {
            ByteArrays.validateBounds(raw, offset, length);
            return read.apply(raw, offset);
        }

        @Override
        public Class<? extends T> getTargetClass(NotApplicable number) {
            return type;
        }

        @Override
        public Class<? extends T> getTargetClass() {
            return type;
        }
    }

    /** A neighbour discovery message's options: the target's link-layer address read, any other kept raw. */
    private enum NeighborDiscoveryOptions implements PacketFactory<IpV6NeighborDiscoveryOption, IpV6NeighborDiscoveryOptionType> {
        INSTANCE;

        @Override
        public IpV6NeighborDiscoveryOption newInstance(byte[] raw, int offset, int length,
                                                       IpV6NeighborDiscoveryOptionType type) {
            if (!IpV6NeighborDiscoveryOptionType.TARGET_LINK_LAYER_ADDRESS.equals(type)) {
                return newInstance(raw, offset, length);
            }
            try {
                return IpV6NeighborDiscoveryTargetLinkLayerAddressOption.newInstance(raw, offset, length);
            } catch (IllegalRawDataException e) {
                return IllegalIpV6NeighborDiscoveryOption.newInstance(raw, offset, length);
            }
        }

        @Override
        public IpV6NeighborDiscoveryOption newInstance(byte[] raw, int offset, int length) {
            try {
                return UnknownIpV6NeighborDiscoveryOption.newInstance(raw, offset, length);
            } catch (IllegalRawDataException e) {
                return IllegalIpV6NeighborDiscoveryOption.newInstance(raw, offset, length);
            }
        }

        @Override
        public Class<? extends IpV6NeighborDiscoveryOption> getTargetClass(IpV6NeighborDiscoveryOptionType type) {
            return IpV6NeighborDiscoveryOptionType.TARGET_LINK_LAYER_ADDRESS.equals(type)
                    ? IpV6NeighborDiscoveryTargetLinkLayerAddressOption.class : getTargetClass();
        }

        @Override
        public Class<? extends IpV6NeighborDiscoveryOption> getTargetClass() {
            return UnknownIpV6NeighborDiscoveryOption.class;
        }
    }
}
