package dev.vip.netlink;

/** Something the kernel announced on an rtnetlink multicast group. */
public sealed interface KernelEvent permits AddressEvent, LinkEvent {
}
