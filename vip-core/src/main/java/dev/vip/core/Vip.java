package dev.vip.core;

import java.nio.charset.StandardCharsets;

/**
 * A virtual IP: an address with its prefix on one interface, with an optional IPv4 label
 * ({@code eth0:0}, as in the seed's {@code --label eth0:0}).
 *
 * @param label the requested label, or null for the kernel's default (the interface name)
 */
public record Vip(String interfaceName, IpPrefix prefix, String label) {
    /** IFNAMSIZ less the terminating NUL: the longest interface name and label the kernel takes. */
    public static final int MAX_NAME_BYTES = 15;

    public Vip {
        validateInterfaceName(interfaceName);
        if (label != null) {
            validateLabel(label, interfaceName, prefix);
        }
    }

    public static Vip of(String interfaceName, String address, String label) {
        return new Vip(interfaceName, IpPrefix.parse(address), label);
    }

    /** The label the kernel will show for this address: the given one, or the interface name (IPv4 only). */
    public String effectiveLabel() {
        if (!prefix.isIpv4()) {
            return null;
        }
        return label != null ? label : interfaceName;
    }

    static void validateInterfaceName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("empty interface name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new InvalidInputException("interface name '" + name + "' is longer than " + MAX_NAME_BYTES
                    + " bytes");
        }
        if (name.equals(".") || name.equals("..") || !name.matches("[^/\\s:]+")) {
            throw new InvalidInputException("'" + name + "' is not a valid interface name");
        }
    }

    /**
     * Labels: at most 15 bytes, and the interface name itself or {@code IF:} followed by a suffix. The
     * kernel takes any label; this is the convention that {@code ifconfig} and the seed rely on.
     */
    static void validateLabel(String label, String interfaceName, IpPrefix prefix) {
        if (!prefix.isIpv4()) {
            throw new InvalidInputException("labels apply to IPv4 addresses only; " + prefix + " is IPv6");
        }
        if (label.isEmpty()) {
            throw new InvalidInputException("empty label");
        }
        if (label.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new InvalidInputException("label '" + label + "' is longer than " + MAX_NAME_BYTES + " bytes");
        }
        if (!label.matches("\\p{Graph}+")) {
            throw new InvalidInputException("label '" + label + "' may hold only printable ASCII without spaces");
        }
        if (!label.equals(interfaceName)
                && !(label.startsWith(interfaceName + ":") && label.length() > interfaceName.length() + 1)) {
            throw new InvalidInputException("label '" + label + "' must be '" + interfaceName + "' or start with '"
                    + interfaceName + ":'");
        }
    }

    @Override
    public String toString() {
        return prefix + " on " + interfaceName + (label == null ? "" : " (" + label + ")");
    }
}
