package dev.vip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vip.netlink.AddressMessage;
import dev.vip.netlink.FakeKernel;
import dev.vip.netlink.LinkMessage;
import dev.vip.netlink.MacAddress;
import dev.vip.netlink.NetlinkException;
import dev.vip.netlink.RtnetlinkClient;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Idempotent add and delete, and the races between our look and our change, against vip-native's fake
 * kernel (no root): what is there decides, never who came first.
 */
class AddressManagerTest {
    private static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");
    private static final int UP = LinkMessage.IFF_UP | LinkMessage.IFF_RUNNING | LinkMessage.IFF_LOWER_UP;
    private static final Vip VIP = Vip.of("eth0", "198.51.100.10/32", "eth0:0");

    private final FakeKernel kernel = new FakeKernel()
            .link(1, "lo", LinkMessage.IFF_UP | LinkMessage.IFF_LOOPBACK, MacAddress.ZERO)
            .link(2, "eth0", UP, MAC)
            .link(3, "tun0", UP, null);
    private final AddressManager manager = new AddressManager(new RtnetlinkClient(kernel, Duration.ofMillis(50)));

    private static AddressMessage there(int prefix, String label) throws IOException {
        InetAddress a = InetAddress.getByName("198.51.100.10");
        return new AddressMessage(AddressMessage.AF_INET, prefix, 0, 0, 2, a, a, label, null);
    }

    @Test
    void addingTwiceChangesTheKernelOnce() throws Exception {
        AddressManager.Outcome first = manager.add(VIP, AddOptions.DEFAULT);
        assertTrue(first.changed());
        assertEquals("eth0:0", first.presence().address().orElseThrow().label());
        AddressManager.Outcome second = manager.add(VIP, AddOptions.DEFAULT);
        assertFalse(second.changed());
        assertEquals(1, kernel.addresses().size());
        assertEquals(1, kernel.requests().stream().filter("RTM_NEWADDR"::equals).count());
    }

    @Test
    void anAddressInAnotherFormIsAConflictAndIsLeftAlone() throws Exception {
        kernel.address(there(24, "eth0"));
        ConflictException e = assertThrows(ConflictException.class, () -> manager.add(VIP, AddOptions.DEFAULT));
        assertEquals("the interface already has 198.51.100.10/24 (label eth0)", e.getMessage());
        assertEquals(List.of(there(24, "eth0")), kernel.addresses());
        assertThrows(ConflictException.class, () -> manager.delete(VIP)); // del with the wrong prefix: no
        assertEquals(1, kernel.addresses().size());
    }

    @Test
    void addedBySomeoneElseBetweenOurLookAndOurAddIsJudgedByWhatIsThere() throws Exception {
        AddressManager.Outcome o = addWithRace(there(32, "eth0:0"));
        assertFalse(o.changed(), "EEXIST with the same form: done already, not an error");
        assertEquals(List.of(there(32, "eth0:0")), kernel.addresses());
    }

    @Test
    void addedInAnotherFormDuringTheRaceIsAConflict() throws Exception {
        assertThrows(ConflictException.class, () -> addWithRace(there(24, null)));
        assertEquals(List.of(there(24, null)), kernel.addresses());
    }

    /** Someone else's change, between our look (a link and an address request) and our own change. */
    private void beforeOurChange(Runnable change) {
        kernel.beforeNext(() -> kernel.beforeNext(() -> kernel.beforeNext(change)));
    }

    /** Our add, with {@code other} added by someone else after our look and before our RTM_NEWADDR. */
    private AddressManager.Outcome addWithRace(AddressMessage other) throws Exception {
        // find() makes two requests (link, address dump); the third is our add
        beforeOurChange(() -> kernel.address(other));
        AddressManager.Outcome o = manager.add(VIP, AddOptions.DEFAULT);
        assertEquals(List.of("RTM_GETLINK", "RTM_GETADDR", "RTM_NEWADDR"), kernel.requests().subList(0, 3));
        return o;
    }

    @Test
    void deletingWhatIsNotThereChangesNothing() throws Exception {
        assertFalse(manager.delete(VIP).changed());
        manager.add(VIP, AddOptions.DEFAULT);
        assertTrue(manager.delete(VIP).changed());
        assertFalse(manager.delete(VIP).changed());
        assertEquals(List.of(), kernel.addresses());
    }

    @Test
    void deletedBySomeoneElseBetweenOurLookAndOurDeleteIsNoError() throws Exception {
        kernel.address(there(32, "eth0:0"));
        beforeOurChange(() -> kernel.remove(VIP.prefix().address()));
        AddressManager.Outcome o = manager.delete(VIP);
        assertFalse(o.changed(), "EADDRNOTAVAIL after our look: gone already, not an error");
        assertTrue(o.presence().address().isEmpty());
        assertEquals(List.of("RTM_GETLINK", "RTM_GETADDR", "RTM_DELADDR"), kernel.requests().subList(0, 3));
    }

    @Test
    void releaseDeletesWhateverPrefixTheAddressHas() throws Exception {
        kernel.address(there(24, "eth0"));
        assertTrue(manager.release(VIP).changed());
        assertEquals(List.of(), kernel.addresses());
        assertFalse(manager.release(VIP).changed());
    }

    @Test
    void noSuchInterfaceIsTheKernelsError() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> manager.add(Vip.of("eth9", "198.51.100.10/32", null), AddOptions.DEFAULT));
        assertEquals(19, e.errno());
    }

    @Test
    void onlyAnEthernetInterfaceHasAMacToAnnounceWith() throws Exception {
        assertEquals(MAC, manager.find(VIP).ethernetMac());
        assertThrows(NotEthernetException.class, () -> manager.find(Vip.of("lo", "198.51.100.10/32", null)).ethernetMac());
        assertThrows(NotEthernetException.class,
                () -> manager.find(Vip.of("tun0", "198.51.100.10/32", null)).ethernetMac());
    }

    @Test
    void ourOwnMacsAreEveryRealOne() throws Exception {
        assertEquals(Set.of(MAC), manager.localMacs());
    }
}
