package dev.vip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.vip.core.daemon.DaemonClient.Refused;
import dev.vip.core.daemon.Reply;
import dev.vip.netlink.ErrnoException;
import java.io.IOException;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.PcapNativeException;

/** One mapping from a failure to the operator's line and exit code; libpcap's failures typed on the way in. */
class FailureTest {

    @Test
    void notPermittedIsExit4AndNamesTheCapabilityTheCallNeeds() {
        Failure netlink = Failure.of("add 198.51.100.10/32 to eth0",
                new ErrnoException("RTM_NEWADDR", Errno.EPERM.intValue()));
        assertEquals(new Failure(4, "cannot add 198.51.100.10/32 to eth0: operation not permitted (EPERM): "
                + "needs CAP_NET_ADMIN"), netlink);
        Failure pcap = Failure.of("announce", new ErrnoException("pcap: open eth0", Errno.EACCES.intValue()));
        assertEquals(4, pcap.exitCode());
        assertEquals("cannot announce: permission denied (EACCES): needs CAP_NET_RAW", pcap.message());
    }

    @Test
    void everythingElseIsExit3() {
        assertEquals(new Failure(3, "cannot add: no such interface (ENODEV)"),
                Failure.of("add", new ErrnoException("RTM_NEWADDR", Errno.ENODEV.intValue())));
        assertEquals(new Failure(3, "cannot add: file exists (EEXIST) [RTM_NEWADDR]"),
                Failure.of("add", new ErrnoException("RTM_NEWADDR", Errno.EEXIST.intValue())));
        assertEquals(new Failure(3, "cannot add: 198.51.100.10/24 is on eth0 with another prefix"),
                Failure.of("add", new ConflictException("198.51.100.10/24 is on eth0 with another prefix")));
        assertEquals(new Failure(3, "cannot read the daemon's status: closed"),
                Failure.of("read the daemon's status", new IOException("closed")));
    }

    @Test
    void aDaemonsNoIsExit4ForPermission5ForFencing3Otherwise() {
        java.nio.file.Path socket = java.nio.file.Path.of("/run/vip/vip.sock");
        Failure permission = Failure.of("add", new Refused(socket,
                Reply.of(Json.parse("{\"ok\":false,\"refused\":true,\"error\":\"uid 1000 may not claim\"}"))));
        assertEquals(new Failure(4, "cannot add: the daemon at /run/vip/vip.sock says: uid 1000 may not claim"),
                permission);
        assertEquals(5, Failure.of("claim the VIP", new Refused(socket,
                Reply.of(Json.parse("{\"ok\":false,\"fenced\":true,\"error\":\"a standby\"}")))).exitCode());
        assertEquals(3, Failure.of("delete", new Refused(socket,
                Reply.of(Json.parse("{\"ok\":false,\"error\":\"netlink\"}")))).exitCode());
    }

    @Test
    void libpcapsRefusalsBecomeErrnosByReturnCodeThenByText() {
        ErrnoException denied = assertInstanceOf(ErrnoException.class,
                PcapLink.translate("open eth0", new PcapNativeException("eth0: You don't have permission", -8)));
        assertEquals(Errno.EPERM.intValue(), denied.errno());
        ErrnoException gone = assertInstanceOf(ErrnoException.class,
                PcapLink.translate("open eth9", new PcapNativeException("eth9: that device doesn't exist", -5)));
        assertEquals(Errno.ENODEV.intValue(), gone.errno());
        ErrnoException sendDenied = assertInstanceOf(ErrnoException.class,
                PcapLink.translate("send on eth0", new PcapNativeException("send: Operation not permitted")));
        assertEquals(Errno.EPERM.intValue(), sendDenied.errno());
        IOException other = PcapLink.translate("send on eth0", new PcapNativeException("send: Message too long"));
        assertEquals("pcap: send on eth0: send: Message too long", other.getMessage());
    }
}
