package dev.vip.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vip.netlink.codec.Netlink;
import dev.vip.netlink.codec.NetlinkError;
import dev.vip.netlink.codec.NetlinkHeader;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client against a scripted kernel: matching, errors, timeouts and truncation. */
class RtnetlinkClientTest {
    private final ScriptedSocket kernel = new ScriptedSocket();
    private final RtnetlinkClient client = new RtnetlinkClient(kernel, Duration.ofMillis(50));

    private static RtnetlinkClient.AddRequest add(String address) throws Exception {
        return new RtnetlinkClient.AddRequest(3, InetAddress.getByName(address), 32, "d0:0", false, false, null);
    }

    private static AddressMessage address(int index, String literal, int prefix) throws Exception {
        InetAddress a = InetAddress.getByName(literal);
        return new AddressMessage(2, prefix, 0x80, 0, index, a, a, null, null);
    }

    private static ByteBuffer newAddr(NetlinkHeader request, AddressMessage m, int port) {
        return Netlink.frame(Netlink.RTM_NEWADDR, Netlink.NLM_F_MULTI, request.sequence(), port, m::encode);
    }

    private static ByteBuffer done(NetlinkHeader request) {
        return Netlink.frame(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, request.sequence(), ScriptedSocket.PORT,
                out -> out.putInt(0));
    }

    @Test
    void addSendsCreateExclusiveWithAckAndSucceedsOnAck() throws Exception {
        kernel.then(ScriptedSocket.ack());
        client.addAddress(add("198.51.100.10"));
        NetlinkHeader sent = kernel.sent.get(0);
        assertEquals(Netlink.RTM_NEWADDR, sent.type());
        assertEquals(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                sent.flags());
    }

    @Test
    void eexistCarriesOperationErrnoAndKernelText() throws Exception {
        kernel.then(ScriptedSocket.error(17, "ipv4: Address already assigned"));
        NetlinkException e = assertThrows(NetlinkException.class, () -> client.addAddress(add("198.51.100.10")));
        assertEquals(17, e.errno());
        assertEquals("EEXIST", e.errnoName());
        assertEquals(Netlink.RTM_NEWADDR, e.messageType());
        assertEquals("ipv4: Address already assigned", e.kernelMessage());
        assertEquals(kernel.sent.get(0).sequence(), e.sequence());
        assertEquals("RTM_NEWADDR: file exists (EEXIST): ipv4: Address already assigned", e.getMessage());
    }

    @Test
    void epermWithoutText() throws Exception {
        kernel.then(ScriptedSocket.error(1, null));
        NetlinkException e = assertThrows(NetlinkException.class, () -> client.addAddress(add("198.51.100.10")));
        assertEquals("EPERM", e.errnoName());
        assertEquals("RTM_NEWADDR: operation not permitted (EPERM)", e.getMessage());
    }

    @Test
    void enodevOnGetLink() {
        kernel.then(ScriptedSocket.error(19, null));
        NetlinkException e = assertThrows(NetlinkException.class, () -> client.link("nosuch0"));
        assertEquals(19, e.errno());
        assertEquals("RTM_GETLINK", e.call());
    }

    @Test
    void deleteOfMissingAddressIsEaddrnotavail() {
        kernel.then(ScriptedSocket.error(99, "ipv4: Address not found"));
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> client.deleteAddress(3, InetAddress.getByName("198.51.100.10"), 32));
        assertEquals("EADDRNOTAVAIL", e.errnoName());
        assertEquals(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, kernel.sent.get(0).flags());
    }

    @Test
    void skipsRepliesWithForeignSequenceOrPortThenTakesOurs() throws Exception {
        kernel.then(request -> List.of(
                new NetlinkError(17, new NetlinkHeader(52, 20, 0x605, request.sequence() - 1, 0), null)
                        .encode(ScriptedSocket.PORT),
                new NetlinkError(17, request, null).encode(ScriptedSocket.PORT + 1),
                new NetlinkError(0, request, null).encode(ScriptedSocket.PORT)));
        client.addAddress(add("198.51.100.10")); // the two errors were not ours
    }

    @Test
    void onlyForeignRepliesEndInTimeout() {
        kernel.then(request -> List.of(
                new NetlinkError(0, new NetlinkHeader(52, 20, 0x605, request.sequence() + 5, 0), null)
                        .encode(ScriptedSocket.PORT)));
        NetlinkProtocolException e = assertThrows(NetlinkProtocolException.class,
                () -> client.addAddress(add("198.51.100.10")));
        assertTrue(e.getMessage().contains("no reply"), e.getMessage());
    }

    @Test
    void silentKernelEndsInTimeout() {
        assertThrows(NetlinkProtocolException.class, () -> client.link("d0"));
    }

    @Test
    void truncatedReplyIsAProtocolError() {
        kernel.then(request -> {
            ByteBuffer whole = new NetlinkError(17, request, "ipv4: Address already assigned")
                    .encode(ScriptedSocket.PORT);
            return List.of(whole.limit(whole.limit() - 10));
        });
        assertThrows(NetlinkProtocolException.class, () -> client.addAddress(add("198.51.100.10")));
    }

    @Test
    void dumpGathersEveryDatagramUntilDoneAndFiltersByInterface() throws Exception {
        AddressMessage ours = address(3, "198.51.100.10", 32);
        AddressMessage other = address(2, "203.0.113.1", 24);
        AddressMessage ours2 = address(3, "198.51.100.11", 24);
        kernel.then(request -> List.of(
                newAddr(request, ours, ScriptedSocket.PORT),
                newAddr(request, other, ScriptedSocket.PORT),
                newAddr(request, ours2, ScriptedSocket.PORT),
                done(request)));
        assertEquals(List.of(ours, ours2), client.listAddresses(3));
        assertEquals(Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, kernel.sent.get(0).flags());
    }

    @Test
    void linkDumpDecodesEveryInterface() throws Exception {
        ByteBuffer golden = Golden.load("getlink-reply");
        kernel.then(request -> {
            // the recorded reply, re-addressed to this request, twice, then DONE
            ByteBuffer reply = ByteBuffer.allocate(golden.remaining()).order(Netlink.order()).put(golden.duplicate());
            reply.putInt(8, request.sequence()).putInt(12, ScriptedSocket.PORT).flip();
            return List.of(reply.duplicate(), reply.duplicate(), done(request));
        });
        List<LinkMessage> links = client.links();
        assertEquals(2, links.size());
        assertEquals("d0", links.get(0).name());
        assertEquals(Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, kernel.sent.get(0).flags());
    }

    @Test
    void eachRequestHasANewSequence() throws Exception {
        kernel.then(ScriptedSocket.ack()).then(ScriptedSocket.ack());
        client.addAddress(add("198.51.100.10"));
        client.addAddress(add("198.51.100.11"));
        assertEquals(kernel.sent.get(0).sequence() + 1, kernel.sent.get(1).sequence());
    }

    @Test
    void closeClosesTheSocket() throws Exception {
        client.close();
        assertTrue(kernel.closed());
    }
}
