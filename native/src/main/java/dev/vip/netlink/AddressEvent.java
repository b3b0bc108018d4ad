package dev.vip.netlink;

/** An address added to or removed from an interface, as RTMGRP_IPV4_IFADDR / RTMGRP_IPV6_IFADDR report it. */
public record AddressEvent(Kind kind, AddressMessage address) implements KernelEvent {
    public enum Kind { ADDED, REMOVED }
}
