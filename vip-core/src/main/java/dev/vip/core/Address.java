package dev.vip.core;

import java.net.InetAddress;

/**
 * An address the kernel holds on an interface, in core's terms (not rtnetlink's): in whatever form it
 * was added (prefix length, IPv4 label), which decides whether it is the VIP or a conflict.
 *
 * @param label the IPv4 label (eth0:0), or null
 */
public record Address(InetAddress address, int prefixLength, String label) {
}
