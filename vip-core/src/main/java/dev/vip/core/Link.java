package dev.vip.core;

import dev.vip.netlink.MacAddress;

/**
 * An interface as the kernel has it, in core's terms (not rtnetlink's).
 *
 * @param up  administratively up and with a carrier (IFF_UP and IFF_LOWER_UP)
 * @param mac its hardware address when that is a 6-byte Ethernet one, else null
 */
public record Link(int index, String name, boolean up, boolean loopback, MacAddress mac) {
}
