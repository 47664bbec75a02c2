package io.nodemesh.api.state;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** Parsing of IP literals and CIDRs without name lookups. */
public final class IpAddresses {
    private static final Pattern V4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern V6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    private IpAddresses() {}

    /** Parses an IPv4 or IPv6 literal; never resolves a host name. */
    public static Optional<InetAddress> parse(String literal) {
        if (literal == null || literal.isEmpty()) return Optional.empty();
        var v4 = V4.matcher(literal);
        if (v4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) return Optional.empty();
                bytes[i] = (byte) octet;
            }
            return address(bytes);
        }
        if (literal.contains(":") && V6_CHARS.matcher(literal).matches()) {
            try {
                return Optional.of(InetAddress.getByName(literal)); // a literal with ':' is never looked up
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    public static boolean isValid(String literal) {
        return parse(literal).isPresent();
    }

    /** One spelling per address, so {@code ::FFFF:10.0.0.1} style variants compare equal. Invalid input is returned unchanged. */
    public static String canonical(String literal) {
        return parse(literal).map(InetAddress::getHostAddress).orElse(literal);
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
