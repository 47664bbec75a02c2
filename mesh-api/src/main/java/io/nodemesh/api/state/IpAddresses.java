package io.nodemesh.api.state;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** Parsing of IP literals and CIDRs without name lookups. */
public final class IpAddresses {
    private static final Pattern V6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    private IpAddresses() {}

    /** Parses an IPv4 or IPv6 literal; never resolves a host name. */
    public static Optional<InetAddress> parse(String literal) {
        if (literal == null || literal.isEmpty()) return Optional.empty();
        int v4 = parseV4(literal);
        if (v4 == V4_CANONICAL || v4 == V4_VALID) return address(v4Bytes(literal));
        if (literal.indexOf(':') >= 0 && V6_CHARS.matcher(literal).matches()) {
            try {
                return Optional.of(InetAddress.getByName(literal)); // a literal with ':' is never looked up
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    public static boolean isValid(String literal) {
        if (literal == null) return false;
        int v4 = parseV4(literal);
        return v4 != V4_INVALID || parse(literal).isPresent();
    }

    /** One spelling per address, so {@code ::FFFF:10.0.0.1} style variants compare equal. Invalid input is returned unchanged. */
    public static String canonical(String literal) {
        // Validation canonicalizes every address of a large state: spare the common case any allocation.
        if (literal != null && parseV4(literal) == V4_CANONICAL) return literal;
        return parse(literal).map(InetAddress::getHostAddress).orElse(literal);
    }

    private static final int V4_INVALID = 0;
    private static final int V4_VALID = 1;
    private static final int V4_CANONICAL = 2;

    /** Classifies a dotted quad: invalid, valid, or valid and already canonical (no leading zeros). */
    private static int parseV4(String s) {
        int octets = 0;
        int value = -1;
        boolean canonical = true;
        int digits = 0;
        for (int i = 0; i <= s.length(); i++) {
            char c = i == s.length() ? '.' : s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) canonical = false;
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (++digits > 3 || value > 255) return V4_INVALID;
            } else if (c == '.') {
                if (digits == 0) return V4_INVALID;
                octets++;
                value = -1;
                digits = 0;
            } else {
                return V4_INVALID;
            }
        }
        if (octets != 4) return V4_INVALID;
        return canonical ? V4_CANONICAL : V4_VALID;
    }

    private static byte[] v4Bytes(String s) {
        byte[] bytes = new byte[4];
        int octet = 0;
        int value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                bytes[octet++] = (byte) value;
                value = 0;
            } else {
                value = value * 10 + (c - '0');
            }
        }
        bytes[octet] = (byte) value;
        return bytes;
    }

    public static boolean isV6(String literal) {
        return parse(literal).map(a -> a instanceof Inet6Address).orElse(false);
    }

    public static boolean isV4(String literal) {
        return parse(literal).map(a -> a instanceof Inet4Address).orElse(false);
    }

    /** A parsed CIDR. */
    public record Cidr(InetAddress network, int prefix) {
        public boolean contains(InetAddress address) {
            byte[] a = network.getAddress();
            byte[] b = address.getAddress();
            if (a.length != b.length) return false;
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) return false;
            }
            return true;
        }

        public boolean overlaps(Cidr other) {
            return contains(other.network) || other.contains(network);
        }
    }

    public static Optional<Cidr> parseCidr(String cidr) {
        if (cidr == null) return Optional.empty();
        int slash = cidr.indexOf('/');
        if (slash < 0) return Optional.empty();
        Optional<InetAddress> network = parse(cidr.substring(0, slash));
        if (network.isEmpty()) return Optional.empty();
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        int max = network.get().getAddress().length * 8;
        if (prefix < 0 || prefix > max) return Optional.empty();
        return Optional.of(new Cidr(network.get(), prefix));
    }

    private static Optional<InetAddress> address(byte[] bytes) {
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
