package dev.vip.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vip.netlink.codec.Netlink;
import dev.vip.netlink.codec.NetlinkError;
import dev.vip.netlink.codec.NetlinkHeader;
import dev.vip.netlink.codec.NetlinkMessage;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Encode equals golden bytes; decode of the kernel's own bytes equals the records. */
class CodecGoldenTest {

    @BeforeAll
    static void littleEndianOnly() {
        // The golden bytes were written and captured on x86_64; netlink is in host byte order.
        org.junit.jupiter.api.Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    static Stream<Arguments> encodedMessages() throws Exception {
        return Stream.of(
                Arguments.of("ip addr add 198.51.100.10/32 dev d0 label d0:0",
                        Netlink.RTM_NEWADDR, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE
                                | Netlink.NLM_F_EXCL,
                        new AddressMessage(2, 32, 0, 0, 3, ip("198.51.100.10"), ip("198.51.100.10"), "d0:0", null),
                        // nlmsghdr: len 52, RTM_NEWADDR 20, flags 0x605, seq 7, pid 0
                        "34000000 1400 0506 07000000 00000000"
                                // ifaddrmsg: AF_INET, /32, flags 0, scope 0, index 3
                                + "| 02 20 00 00 03000000"
                                // IFA_LOCAL 198.51.100.10, IFA_ADDRESS 198.51.100.10
                                + "| 0800 0200 c633640a | 0800 0100 c633640a"
                                // IFA_LABEL "d0:0\0" (len 9, padded to 12)
                                + "| 0900 0300 64303a30 00 000000"),
                Arguments.of("ip addr add 2001:db8::10/64 dev d0 nodad noprefixroute preferred_lft 0",
                        Netlink.RTM_NEWADDR, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE
                                | Netlink.NLM_F_EXCL,
                        new AddressMessage(10, 64, AddressMessage.IFA_F_NODAD | AddressMessage.IFA_F_NOPREFIXROUTE, 0,
                                3, ip("2001:db8::10"), ip("2001:db8::10"), null,
                                new AddressMessage.Lifetimes(0, AddressMessage.Lifetimes.FOREVER)),
                        "5c000000 1400 0506 07000000 00000000"
                                // AF_INET6, /64, ifa_flags = low byte of NODAD|NOPREFIXROUTE = 0x02
                                + "| 0a 40 02 00 03000000"
                                + "| 1400 0200 20010db8000000000000000000000010"
                                + "| 1400 0100 20010db8000000000000000000000010"
                                // IFA_FLAGS 0x202: NOPREFIXROUTE does not fit in ifa_flags
                                + "| 0800 0800 02020000"
                                // IFA_CACHEINFO preferred 0, valid forever, cstamp 0, tstamp 0
                                + "| 1400 0600 00000000 ffffffff 00000000 00000000"),
                Arguments.of("ip addr del 198.51.100.10/32 dev d0 (no label: it is a match key)",
                        Netlink.RTM_DELADDR, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK,
                        new AddressMessage(2, 32, 0, 0, 3, ip("198.51.100.10"), ip("198.51.100.10"), null, null),
                        "28000000 1500 0500 07000000 00000000 | 02 20 00 00 03000000"
                                + "| 0800 0200 c633640a | 0800 0100 c633640a"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodedMessages")
    void encodesAddressMessages(String what, int type, int flags, AddressMessage message, String golden) {
        ByteBuffer encoded = Netlink.frame(type, flags, 7, 0, message::encode);
        assertEquals(Golden.hex(Golden.hex(golden)), Golden.hex(encoded));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodedMessages")
    void decodesWhatItEncodes(String what, int type, int flags, AddressMessage message, String golden)
            throws Exception {
        List<NetlinkMessage> messages = Netlink.split(Golden.hex(golden));
        assertEquals(1, messages.size());
        assertEquals(new NetlinkHeader(Golden.hex(golden).remaining(), type, flags, 7, 0), messages.get(0).header());
        assertEquals(message, AddressMessage.decode(messages.get(0)));
    }

    @Test
    void encodesLinkRequestByName() {
        ByteBuffer encoded = Netlink.frame(Netlink.RTM_GETLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 9, 0,
                LinkMessage.request("d0", 0));
        // ifinfomsg is 16 bytes of zeros (family, pad, type, index, flags, change); IFLA_IFNAME "d0\0"
        assertEquals(Golden.hex(Golden.hex("28000000 1200 0500 09000000 00000000 | 00000000000000000000000000000000"
                + "| 0700 0300 643000 00")), Golden.hex(encoded));
    }

    @Test
    void decodesKernelAddressDump() throws Exception {
        List<NetlinkMessage> messages = Netlink.split(Golden.load("getaddr-dump"));
        assertEquals(4, messages.size()); // d1's and d0's link-local addresses too
        for (NetlinkMessage m : messages) {
            assertEquals(Netlink.RTM_NEWADDR, m.header().type());
            assertEquals(Netlink.NLM_F_MULTI, m.header().flags());
            assertEquals(Golden.PORT, m.header().portId());
        }
        AddressMessage v4 = AddressMessage.decode(messages.get(0));
        assertEquals(new AddressMessage(2, 32, AddressMessage.IFA_F_PERMANENT, 0, 3, ip("198.51.100.10"),
                ip("198.51.100.10"), "d0:0", new AddressMessage.Lifetimes(0xffffffffL, 0xffffffffL)), v4);

        AddressMessage linkLocal = AddressMessage.decode(messages.get(1));
        assertEquals(ip("fe80::dc4e:12ff:feb1:5386"), linkLocal.primaryAddress());
        assertEquals(2, linkLocal.interfaceIndex());
        assertEquals(0xfd, linkLocal.scope()); // RT_SCOPE_LINK

        AddressMessage v6 = AddressMessage.decode(messages.get(2));
        assertEquals(10, v6.family());
        assertEquals(64, v6.prefixLength());
        assertNull(v6.local());
        assertEquals(ip("2001:db8::10"), v6.primaryAddress());
        assertTrue(v6.has(AddressMessage.IFA_F_NODAD | AddressMessage.IFA_F_DEPRECATED
                | AddressMessage.IFA_F_PERMANENT));
        assertEquals(new AddressMessage.Lifetimes(0, AddressMessage.Lifetimes.FOREVER), v6.lifetimes());
    }

    @Test
    void decodesKernelDone() throws Exception {
        List<NetlinkMessage> messages = Netlink.split(Golden.load("getaddr-done"));
        assertEquals(Netlink.NLMSG_DONE, messages.get(0).header().type());
    }

    @Test
    void decodesKernelLinkReply() throws Exception {
        List<NetlinkMessage> messages = Netlink.split(Golden.load("getlink-reply"));
        assertEquals(1, messages.size());
        LinkMessage link = LinkMessage.decode(messages.get(0));
        assertEquals(new LinkMessage(LinkMessage.ARPHRD_ETHER, 3, 0x11043, "d0", MacAddress.parse("02:00:00:00:00:01"),
                1500), link);
        assertTrue(link.has(LinkMessage.IFF_UP | LinkMessage.IFF_LOWER_UP));
    }

    @Test
    void decodesAckWithCappedRequest() throws Exception {
        NetlinkMessage m = Netlink.split(Golden.load("getlink-ack")).get(0);
        assertEquals(Netlink.NLMSG_ERROR, m.header().type());
        NetlinkError ack = NetlinkError.decode(m);
        assertTrue(ack.isAck());
        assertEquals(Netlink.RTM_GETLINK, ack.request().type());
        assertEquals(m.header().sequence(), ack.request().sequence());
        assertNull(ack.message());
    }

    @Test
    void decodesErrorWithExtendedAckText() throws Exception {
        NetlinkError error = NetlinkError.decode(Netlink.split(Golden.load("error-eexist")).get(0));
        assertEquals(17, error.errno());
        assertEquals(Netlink.RTM_NEWADDR, error.request().type());
        assertEquals(52, error.request().length());
        assertEquals("ipv4: Address already assigned", error.message());
    }

    @Test
    void decodesErrorWithTextAndOffsetAttributes() throws Exception {
        NetlinkError error = NetlinkError.decode(Netlink.split(Golden.load("error-erange")).get(0));
        assertEquals(34, error.errno()); // ERANGE: a label over 15 bytes
        assertEquals("Attribute failed policy validation", error.message());
    }

    @Test
    void encodesErrorAsTheKernelDoes() throws Exception {
        ByteBuffer golden = Golden.load("error-eexist");
        NetlinkError error = NetlinkError.decode(Netlink.split(golden).get(0));
        assertEquals(Golden.hex(golden), Golden.hex(error.encode(Golden.PORT)));
    }

    @Test
    void rejectsTruncatedMessages() {
        ByteBuffer golden = Golden.load("error-eexist");
        ByteBuffer cut = golden.duplicate().limit(golden.limit() - 8);
        assertThrows(NetlinkProtocolException.class, () -> Netlink.split(cut));
        ByteBuffer shortError = Golden.hex("1800000002000000010000000000000000000000feffffff");
        assertThrows(NetlinkProtocolException.class,
                () -> NetlinkError.decode(Netlink.split(shortError).get(0)));
    }
}
