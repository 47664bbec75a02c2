package io.nodemesh.ebpf.internal.abi;

import io.nodemesh.api.state.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;

/** Addresses as the kernel maps hold them: 16 bytes, IPv4 v4-mapped ({@code ::ffff:a.b.c.d}). */
public final class Addresses {
    private Addresses() {}

    /** The 16-byte form of an IP literal; throws naming the literal when it is not one. */
    public static byte[] toKernel(String literal) {
        InetAddress a = IpAddresses.parse(literal)
                .orElseThrow(() -> new IllegalArgumentException("'" + literal + "' is not an IP address"));
        return toKernel(a);
    }

    public static byte[] toKernel(InetAddress a) {
        byte[] raw = a.getAddress();
        if (raw.length == 16) return raw;
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }

    /** The literal of a 16-byte kernel address: dotted quad for v4-mapped ones. */
    public static String fromKernel(byte[] ip) {
        if (ip.length != 16) throw new IllegalArgumentException("a kernel address is 16 bytes, got " + ip.length);
        boolean mapped = true;
        for (int i = 0; i < 10; i++) mapped &= ip[i] == 0;
        mapped &= ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
        try {
            if (mapped)
                return InetAddress.getByAddress(java.util.Arrays.copyOfRange(ip, 12, 16))
                        .getHostAddress();
            return InetAddress.getByAddress(ip).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Whether the literal is IPv4 (plain or v4-mapped IPv6, which Java parses as IPv4). */
    public static boolean isV4(String literal) {
        return IpAddresses.parse(literal).map(a -> a instanceof Inet4Address).orElse(false);
    }
}
