package io.nodemesh.examples.lab;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One IPv4 Ethernet frame off a pcap stream, read as bytes (no dissector between the check and the wire).
 *
 * @param protocol IP protocol number
 * @param src      source address
 * @param dst      destination address
 * @param srcPort  TCP/UDP source port, else 0
 * @param dstPort  TCP/UDP destination port, else 0
 * @param bytes    the whole frame
 */
record PcapFrame(int protocol, String src, String dst, int srcPort, int dstPort, byte[] bytes) {
    static final int UDP = 17;

    /** WireGuard between two nodes: UDP from and to the WireGuard port. */
    boolean isWireguard(int port) {
        return protocol == UDP && srcPort == port && dstPort == port;
    }

    /** IGMP and the like to 224.0.0.x: link-local chatter, no pod's traffic. */
    boolean isLinkLocalMulticast() {
        return dst.startsWith("224.0.0.");
    }

    boolean contains(byte[] needle) {
        return indexOf(bytes, needle, 0) >= 0;
    }

    @Override
    public String toString() {
        return "proto " + protocol + " " + src + ":" + srcPort + " -> " + dst + ":" + dstPort + " (" + bytes.length
                + " bytes)";
    }

    /** The IPv4 frames of a classic little-endian pcap stream with Ethernet link type. */
    static List<PcapFrame> parse(byte[] pcap) {
        if (pcap.length < 24) return List.of();
        ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d)
            throw new IllegalArgumentException(
                    "not a little-endian pcap stream (magic " + Integer.toHexString(magic) + ")");
        List<PcapFrame> frames = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= pcap.length) {
            int length = b.getInt(pos + 8);
            int from = pos + 16;
            if (from + length > pcap.length) break; // a record still being written
            pos = from + length;
            byte[] f = Arrays.copyOfRange(pcap, from, from + length);
            boolean ipv4 = f.length >= 34 && (f[12] & 0xff) == 0x08 && f[13] == 0x00;
            if (!ipv4) continue;
            int proto = f[23] & 0xff;
            int l4 = 14 + (f[14] & 0x0f) * 4;
            boolean ports = (proto == 6 || proto == UDP) && f.length >= l4 + 4;
            frames.add(
                    new PcapFrame(proto, ip(f, 26), ip(f, 30), ports ? u16(f, l4) : 0, ports ? u16(f, l4 + 2) : 0, f));
        }
        return frames;
    }

    private static int u16(byte[] f, int at) {
        return ((f[at] & 0xff) << 8) | (f[at + 1] & 0xff);
    }

    private static String ip(byte[] f, int at) {
        return (f[at] & 0xff) + "." + (f[at + 1] & 0xff) + "." + (f[at + 2] & 0xff) + "." + (f[at + 3] & 0xff);
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
