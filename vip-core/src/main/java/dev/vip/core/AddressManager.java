package dev.vip.core;

import dev.vip.netlink.AddressMessage;
import dev.vip.netlink.LinkMessage;
import dev.vip.netlink.MacAddress;
import dev.vip.netlink.NetlinkException;
import dev.vip.netlink.RtnetlinkClient;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import jnr.constants.platform.Errno;

/**
 * Adds, deletes and finds a VIP on its interface, idempotently: adding what is there already, or deleting
 * what is not, changes nothing and says so. An address present in another form (prefix, label) is a
 * conflict and is left alone.
 */
public final class AddressManager implements Closeable {
    private static final int EEXIST = Errno.EEXIST.intValue();
    private static final int EADDRNOTAVAIL = Errno.EADDRNOTAVAIL.intValue();

    private final RtnetlinkClient netlink;

    public AddressManager(RtnetlinkClient netlink) {
        this.netlink = netlink;
    }

    public static AddressManager open() throws IOException {
        return new AddressManager(RtnetlinkClient.open());
    }

    /** What the kernel has for the VIP's address on its interface, in whatever form. */
    public record Presence(Link link, Optional<Address> address) {
        /**
         * The interface's MAC, for the frames that announce or probe: an interface without an Ethernet
         * address (loopback, a tunnel, an all-zero MAC) cannot carry the VIP at layer 2.
         */
        public MacAddress ethernetMac() throws NotEthernetException {
            if (link.mac() == null || link.loopback() || link.mac().equals(MacAddress.ZERO)) {
                throw new NotEthernetException(link.name());
            }
            return link.mac();
        }

        /** Present with the VIP's prefix length (whatever the label). */
        public boolean matchesPrefix(Vip vip) {
            return address.isPresent() && address.get().prefixLength() == vip.prefix().length();
        }
    }

    /** The outcome of add or delete: whether the kernel changed, and what is there now. */
    public record Outcome(boolean changed, Presence presence) {
    }

    public Presence find(Vip vip) throws IOException {
        LinkMessage link = netlink.link(vip.interfaceName());
        Optional<Address> found = netlink.listAddresses(link.index()).stream()
                .filter(a -> vip.prefix().address().equals(a.primaryAddress()))
                .findFirst()
                .map(a -> new Address(a.primaryAddress(), a.prefixLength(), a.label()));
        return new Presence(new Link(link.index(), link.name(), link.has(LinkMessage.IFF_UP | LinkMessage.IFF_LOWER_UP),
                link.has(LinkMessage.IFF_LOOPBACK), link.mac()), found);
    }

    /** {@code ip addr add}, unless the address is there with the same prefix and label. */
    public Outcome add(Vip vip, AddOptions options) throws IOException, ConflictException {
        Presence before = find(vip);
        if (before.address().isPresent()) {
            requireSameForm(vip, before.address().get());
            return new Outcome(false, before);
        }
        AddressMessage.Lifetimes lifetimes = options.preferredLifetimeSecs() == null ? null
                : new AddressMessage.Lifetimes(options.preferredLifetimeSecs(), AddressMessage.Lifetimes.FOREVER);
        try {
            netlink.addAddress(new RtnetlinkClient.AddRequest(before.link().index(), vip.prefix().address(),
                    vip.prefix().length(), vip.prefix().isIpv4() ? vip.label() : null, options.noDad(),
                    options.noPrefixRoute(), lifetimes));
        } catch (NetlinkException e) {
            if (e.errno() != EEXIST) {
                throw e;
            }
            // Someone added it between our look and our add: judge what is there now.
            Presence now = find(vip);
            if (now.address().isEmpty()) {
                throw e;
            }
            requireSameForm(vip, now.address().get());
            return new Outcome(false, now);
        }
        return new Outcome(true, find(vip));
    }

    /** {@code ip addr del}, unless the address is absent. Present with another prefix is a conflict. */
    public Outcome delete(Vip vip) throws IOException, ConflictException {
        Presence before = find(vip);
        if (before.address().isEmpty()) {
            return new Outcome(false, before);
        }
        Address there = before.address().get();
        if (there.prefixLength() != vip.prefix().length()) {
            throw new ConflictException("the interface has " + describe(vip, there) + ", not " + vip.prefix());
        }
        try {
            netlink.deleteAddress(before.link().index(), vip.prefix().address(), vip.prefix().length());
        } catch (NetlinkException e) {
            if (e.errno() != EADDRNOTAVAIL) {
                throw e;
            }
            return new Outcome(false, find(vip)); // deleted meanwhile by someone else
        }
        return new Outcome(true, find(vip));
    }

    /**
     * Deletes the VIP's address whatever prefix it has: for the watcher, when another host has claimed
     * the address itself.
     */
    public Outcome release(Vip vip) throws IOException {
        Presence before = find(vip);
        if (before.address().isEmpty()) {
            return new Outcome(false, before);
        }
        try {
            netlink.deleteAddress(before.link().index(), vip.prefix().address(), before.address().get().prefixLength());
        } catch (NetlinkException e) {
            if (e.errno() != EADDRNOTAVAIL) {
                throw e;
            }
            return new Outcome(false, find(vip));
        }
        return new Outcome(true, find(vip));
    }

    /** The MACs of every interface of this namespace: frames from them are our own. */
    public java.util.Set<MacAddress> localMacs() throws IOException {
        java.util.Set<MacAddress> macs = new java.util.HashSet<>();
        for (LinkMessage link : netlink.links()) {
            if (link.mac() != null && !link.mac().equals(MacAddress.ZERO)) {
                macs.add(link.mac());
            }
        }
        return macs;
    }

    private static void requireSameForm(Vip vip, Address there) throws ConflictException {
        boolean samePrefix = there.prefixLength() == vip.prefix().length();
        boolean sameLabel = !vip.prefix().isIpv4() || java.util.Objects.equals(vip.effectiveLabel(), there.label());
        if (!samePrefix || !sameLabel) {
            throw new ConflictException("the interface already has " + describe(vip, there));
        }
    }

    /** "198.51.100.10/24 (label eth0:1)" for what the kernel holds. */
    public static String describe(Vip vip, Address there) {
        return vip.prefix().addressText() + "/" + there.prefixLength()
                + (there.label() == null ? "" : " (label " + there.label() + ")");
    }

    @Override
    public void close() throws IOException {
        netlink.close();
    }
}
