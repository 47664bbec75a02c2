package io.nodemesh.examples.calibrate;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One {@code nm_sockhash} key ({@code struct nm_sock_key} of bpf/nodemesh.h, 40 bytes): local and remote address as
 * 16 bytes each (IPv4 mapped into IPv6), then local and remote port as host-order u32.
 */
record SockKey(String localIp, int localPort, String remoteIp, int remotePort) {
    static final int SIZE = 40;

    static SockKey decode(byte[] k) {
        if (k.length != SIZE)
            throw new IllegalArgumentException("nm_sockhash key of " + k.length + " bytes, expected " + SIZE);
        ByteBuffer b = ByteBuffer.wrap(k).order(ByteOrder.LITTLE_ENDIAN);
        return new SockKey(
                ip(Arrays.copyOfRange(k, 0, 16)), b.getInt(32), ip(Arrays.copyOfRange(k, 16, 32)), b.getInt(36));
    }

    /** Either end of a connection between {@code ipA} (any port) and {@code ipB}:{@code port}. */
    boolean between(String ipA, String ipB, int port) {
        return (localIp.equals(ipA) && remoteIp.equals(ipB) && remotePort == port)
                || (localIp.equals(ipB) && localPort == port && remoteIp.equals(ipA));
    }

    private static String ip(byte[] raw) {
        try {
            boolean mapped = raw[10] == (byte) 0xff
                    && raw[11] == (byte) 0xff
                    && Arrays.equals(Arrays.copyOf(raw, 10), new byte[10]);
            return InetAddress.getByAddress(mapped ? Arrays.copyOfRange(raw, 12, 16) : raw)
                    .getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
