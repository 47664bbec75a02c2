package io.nodemesh.agent;

import io.nodemesh.netlab.ChildProcess;
import io.nodemesh.netlab.Netns;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Every frame on the underlay bridge, captured by dumpcap (AF_PACKET, pcap to stdout) and read here as raw bytes, so
 * the checks see what was on the wire rather than a dissector's view of it. libpcap hands frames over in blocks, so
 * {@link #stop()} first sends a broadcast datagram carrying a token from {@code probeNs} until the token shows up:
 * everything sent before it is then in the capture. The probe's frames are left out of the result.
 */
final class UnderlayDump implements AutoCloseable {
    /** An IPv4 frame: protocol, addresses, ports (0 unless TCP or UDP), the frame's bytes. */
    record Frame(int protocol, String src, String dst, int srcPort, int dstPort, byte[] bytes) {
        boolean isWireguardUdp(int port) {
            return protocol == 17 && srcPort == port && dstPort == port;
        }

        boolean isMulticastControl() {
            return protocol == 2 && dst.startsWith("224.0.0.");
        }
    }

    private final ChildProcess dumpcap;
    private final ByteArrayOutputStream pcap = new ByteArrayOutputStream();
    private final Thread reader;
    private final String probeNs;
    private final String broadcast;
    private final byte[] token = ("NMK-FLUSH-" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
    private byte[] raw;
    private List<Frame> frames;

    private UnderlayDump(String netns, String iface, String probeNs, String broadcast) {
        this.probeNs = probeNs;
        this.broadcast = broadcast;
        this.dumpcap = ChildProcess.start(
                "dumpcap on " + iface,
                new ProcessBuilder(Netns.named(netns).wrap(List.of("dumpcap", "-q", "-P", "-i", iface, "-w", "-")))
                        .redirectError(ProcessBuilder.Redirect.DISCARD));
        this.reader = Thread.ofPlatform().daemon().start(this::read);
    }

    /** Starts capturing; returns once dumpcap wrote the pcap header, which it does only with its capture open. */
    static UnderlayDump start(String netns, String iface, String probeNs, String broadcast)
            throws InterruptedException {
        UnderlayDump dump = new UnderlayDump(netns, iface, probeNs, broadcast);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (dump.snapshot().length < 24) {
            if (!dump.dumpcap.isAlive() || System.nanoTime() > deadline) {
                dump.dumpcap.close();
                throw new IllegalStateException("dumpcap did not start capturing on " + iface + " in netns " + netns);
            }
            Thread.sleep(10);
        }
        return dump;
    }

    private void read() {
        byte[] buf = new byte[65536];
        try (var in = dumpcap.process().getInputStream()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (pcap) {
                    pcap.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // dumpcap ended
        }
    }

    private byte[] snapshot() {
        synchronized (pcap) {
            return pcap.toByteArray();
        }
    }

    /** Flushes, stops dumpcap (SIGTERM lets it write what it holds) and returns the IPv4 frames, probe excluded. */
    List<Frame> stop() throws IOException, InterruptedException {
        if (frames != null) return frames;
        flush();
        dumpcap.stop(Duration.ofSeconds(10));
        reader.join(10_000);
        raw = snapshot();
        frames = parse(raw).stream()
                .filter(f -> indexOf(f.bytes(), token, 0) < 0)
                .toList();
        return frames;
    }

    private void flush() throws IOException, InterruptedException {
        try (DatagramSocket socket = Netns.named(probeNs).call(DatagramSocket::new)) {
            socket.setBroadcast(true); // a broadcast draws no ICMP port-unreachable back onto the wire
            DatagramPacket probe = new DatagramPacket(token, token.length, new InetSocketAddress(broadcast, 9));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                socket.send(probe);
                Thread.sleep(100);
                if (indexOf(snapshot(), token, 0) >= 0) return;
            }
        }
        throw new IllegalStateException("the underlay capture never saw its flush probe");
    }

    /** Bytes of {@code text} found in the capture in clear: occurrences times its length, anywhere in any frame. */
    long plaintextBytes(String text) {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        long n = 0;
        for (int i = indexOf(raw, needle, 0); i >= 0; i = indexOf(raw, needle, i + 1)) n++;
        return n * needle.length;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** Classic little-endian pcap, Ethernet frames; only IPv4 ones are kept (ARP carries no payload). */
    static List<Frame> parse(byte[] pcap) {
        ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d)
            throw new IllegalStateException("not a little-endian pcap stream: magic " + Integer.toHexString(magic));
        List<Frame> out = new ArrayList<>();
        for (int pos = 24; pos + 16 <= pcap.length; ) {
            int caplen = b.getInt(pos + 8);
            int start = pos + 16;
            if (start + caplen > pcap.length) break;
            byte[] f = Arrays.copyOfRange(pcap, start, start + caplen);
            pos = start + caplen;
            if (f.length < 34 || (((f[12] & 0xff) << 8) | (f[13] & 0xff)) != 0x0800) continue;
            int l4 = 14 + (f[14] & 0x0f) * 4;
            int proto = f[23] & 0xff;
            boolean ports = (proto == 6 || proto == 17) && f.length >= l4 + 4;
            out.add(new Frame(
                    proto,
                    ipv4(f, 26),
                    ipv4(f, 30),
                    ports ? ((f[l4] & 0xff) << 8) | (f[l4 + 1] & 0xff) : 0,
                    ports ? ((f[l4 + 2] & 0xff) << 8) | (f[l4 + 3] & 0xff) : 0,
                    f));
        }
        return out;
    }

    private static String ipv4(byte[] f, int at) {
        return (f[at] & 0xff) + "." + (f[at + 1] & 0xff) + "." + (f[at + 2] & 0xff) + "." + (f[at + 3] & 0xff);
    }

    @Override
    public void close() throws IOException {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            dumpcap.close(); // the flush failed: still never leave dumpcap running
            throw e;
        }
    }
}
