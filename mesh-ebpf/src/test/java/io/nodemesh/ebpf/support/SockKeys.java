package io.nodemesh.ebpf.support;

import io.nodemesh.ebpf.bpf.BpfMap;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/** Reads {@code nm_sockhash} keys ({@code struct nm_sock_key}, 40 bytes) as addresses and ports. */
public final class SockKeys {
    public record SockKey(String localIp, int localPort, String remoteIp, int remotePort) {
        public boolean between(String ipA, int portA, String ipB, int portB) {
            return (localIp.equals(ipA) && localPort == portA && remoteIp.equals(ipB) && remotePort == portB)
                    || (localIp.equals(ipB) && localPort == portB && remoteIp.equals(ipA) && remotePort == portA);
        }

        @Override
        public String toString() {
            return localIp + ":" + localPort + "->" + remoteIp + ":" + remotePort;
        }
    }

    private SockKeys() {}

    public static List<SockKey> of(BpfMap sockhash) {
        return sockhash.keys().stream().map(SockKeys::decode).toList();
    }

    static SockKey decode(byte[] k) {
        ByteBuffer b = ByteBuffer.wrap(k).order(ByteOrder.LITTLE_ENDIAN);
        return new SockKey(
                ip(Arrays.copyOfRange(k, 0, 16)), b.getInt(32), ip(Arrays.copyOfRange(k, 16, 32)), b.getInt(36));
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
