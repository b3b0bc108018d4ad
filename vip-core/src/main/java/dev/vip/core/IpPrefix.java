package dev.vip.core;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address with its prefix length, e.g. {@code 192.0.2.2/32} or {@code 2001:db8::2/64}, fit to be a
 * virtual IP: unicast, not loopback, unspecified or broadcast. Parsing never touches DNS.
 */
public record IpPrefix(InetAddress address, int length) {

    public IpPrefix {
        int max = maxLength(address);
        if (length < 1 || length > max) {
            throw new InvalidInputException("prefix length " + length + " is out of range 1-" + max);
        }
        String unfit = unfitness(address);
        if (unfit != null) {
            throw new InvalidInputException(unfit);
        }
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    private static int maxLength(InetAddress a) {
        return a instanceof Inet4Address ? 32 : 128;
    }

    /**
     * Parses {@code ADDRESS/LENGTH}; a bare address means a host prefix (/32 or /128), as with
     * {@code ip addr add}.
     */
    public static IpPrefix parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("empty address");
        }
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String addressPart = slash < 0 ? trimmed : trimmed.substring(0, slash);
        InetAddress address = parseAddress(addressPart, text);
        int length = maxLength(address);
        if (slash >= 0) {
            String lengthPart = trimmed.substring(slash + 1);
            if (!lengthPart.matches("[0-9]{1,3}")) {
                throw new InvalidInputException("'" + text + "' has no valid prefix length after '/'");
            }
            length = Integer.parseInt(lengthPart);
            if (length > maxLength(address)) {
                throw new InvalidInputException("'" + text + "': prefix length " + length + " exceeds "
                        + maxLength(address));
            }
        }
        return new IpPrefix(address, length);
    }

    /** Parses a single address literal (no prefix). */
    public static InetAddress parseAddress(String literal, String context) {
        if (literal.contains(":")) {
            return parseIpv6(literal, context);
        }
        return parseIpv4(literal, context);
    }

    private static InetAddress parseIpv4(String literal, String context) {
        String[] parts = literal.split("\\.", -1);
        if (parts.length != 4) {
            throw notAnAddress(context);
        }
        byte[] raw = new byte[4];
        for (int i = 0; i < 4; i++) {
            // No leading zeros: "010" means 8 to inet_aton and 10 to a human.
            if (!parts[i].matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(parts[i]) > 255) {
                throw notAnAddress(context);
            }
            raw[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw notAnAddress(context);
        }
    }

    private static InetAddress parseIpv6(String literal, String context) {
        // Only hex digits, colons and an embedded dotted quad: no zone, no brackets, never a host name.
        if (!literal.matches("[0-9A-Fa-f:.]+")) {
            throw notAnAddress(context);
        }
        // InetAddress.getByName falls back to a DNS lookup for a string that is not a valid literal;
        // java.net.URI checks the RFC 4291 grammar first, so only a valid literal ever reaches it.
        InetAddress a;
        try {
            new java.net.URI("v", null, "[" + literal + "]", -1, null, null, null).parseServerAuthority();
            a = InetAddress.getByName(literal);
        } catch (java.net.URISyntaxException | UnknownHostException e) {
            throw notAnAddress(context);
        }
        if (a instanceof Inet4Address) {
            // The JDK turns ::ffff:a.b.c.d into an IPv4 address; the kernel would not.
            throw new InvalidInputException("'" + context + "' is an IPv4-mapped IPv6 address: use the IPv4 "
                    + "address itself");
        }
        return a;
    }

    private static InvalidInputException notAnAddress(String context) {
        return new InvalidInputException("'" + context + "' is not an IPv4 or IPv6 address");
    }

    /** Why this address cannot be a VIP, or null. */
    private static String unfitness(InetAddress a) {
        String text = a instanceof Inet6Address ? compressIpv6(a.getAddress()) : a.getHostAddress();
        if (a.isAnyLocalAddress()) {
            return text + " is the unspecified address";
        }
        if (a.isLoopbackAddress()) {
            return text + " is a loopback address";
        }
        if (a.isMulticastAddress()) {
            return text + " is a multicast address";
        }
        if (a instanceof Inet4Address && "255.255.255.255".equals(text)) {
            return text + " is the limited broadcast address";
        }
        if (a instanceof Inet6Address v6 && v6.isIPv4CompatibleAddress()) {
            return text + " is an IPv4-compatible IPv6 address (deprecated by RFC 4291)";
        }
        return null;
    }

    /** The address in its shortest form: 192.0.2.2, 2001:db8::2. */
    public String addressText() {
        if (address instanceof Inet6Address) {
            return compressIpv6(address.getAddress());
        }
        return address.getHostAddress();
    }

    /** RFC 5952 text: lower case, the longest run of two or more zero groups as "::". */
    static String compressIpv6(byte[] raw) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((raw[2 * i] & 0xff) << 8) | (raw[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return addressText() + "/" + length;
    }
}
