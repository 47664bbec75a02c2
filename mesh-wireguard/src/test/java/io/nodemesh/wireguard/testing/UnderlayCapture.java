package io.nodemesh.wireguard.testing;

import io.nodemesh.netlab.ChildProcess;
import io.nodemesh.netlab.Netns;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A capture of every frame on the underlay bridge, with dumpcap (Wireshark's capture engine, what tshark runs) in
 * classic pcap format; the frames are then read here, so the checks look at raw bytes, not at a dissector's opinion.
 */
public final class UnderlayCapture implements AutoCloseable {
    /** One IPv4 packet seen on the wire: protocol number, ports (0 if not UDP/TCP), and the whole frame. */
    public record Packet(int protocol, String src, String dst, int srcPort, int dstPort, byte[] frame) {
        public boolean isUdp() {
            return protocol == 17;
        }
    }

    /**
     * How to push frames through the capture: libpcap hands packets over in blocks, and a block not yet handed over
     * when dumpcap stops is lost. So before stopping, a datagram carrying {@link #token} is sent from node namespace
     * {@code fromNs} to {@code toIp} (the underlay's broadcast address) until it shows up in the stream: everything captured before it is then in too.
     * The probe's own frames are left out of {@link #stop()}'s packets (they are the test's, not the application's).
     */
    public record FlushProbe(String fromNs, String toIp, String token) {
        public FlushProbe(String fromNs, String toIp) {
            this(fromNs, toIp, "NMW-CAPTURE-FLUSH-" + java.util.UUID.randomUUID());
        }
    }

    private final FlushProbe probe;
    private final ChildProcess process;
    private final ByteArrayOutputStream stream;
    private final Thread reader;
    private List<Packet> packets;
    private byte[] raw;

    private UnderlayCapture(ChildProcess process, ByteArrayOutputStream stream, Thread reader, FlushProbe probe) {
        this.probe = probe;
        this.process = process;
        this.stream = stream;
        this.reader = reader;
    }

    /**
     * Starts dumpcap writing pcap to its stdout, and returns once the pcap header has arrived: dumpcap writes it only
     * after the capture handle is active, so no packet sent after this returns can be missed.
     */
    public static UnderlayCapture start(String netns, String iface, FlushProbe probe)
            throws IOException, InterruptedException {
        ChildProcess child = ChildProcess.start(
                "dumpcap on " + iface,
                new ProcessBuilder(Netns.named(netns).wrap(List.of("dumpcap", "-q", "-P", "-i", iface, "-w", "-")))
                        .redirectError(ProcessBuilder.Redirect.DISCARD));
        Process p = child.process();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[65536];
            try (var in = p.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (stream) {
                        stream.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (size(stream) < 24) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                child.close();
                throw new IllegalStateException("dumpcap did not start capturing on " + iface + " in netns " + netns);
            }
            Thread.sleep(10);
        }
        return new UnderlayCapture(child, stream, reader, probe);
    }

    private static int size(ByteArrayOutputStream s) {
        synchronized (s) {
            return s.size();
        }
    }

    /** Stops capturing (SIGTERM lets dumpcap flush) and reads the frames. */
    public List<Packet> stop() throws IOException, InterruptedException {
        if (packets != null) return packets;
        flush();
        process.stop(Duration.ofSeconds(10)); // SIGTERM first: dumpcap then flushes what it holds
        reader.join(10_000);
        synchronized (stream) {
            raw = stream.toByteArray();
        }
        byte[] token = probe.token().getBytes(StandardCharsets.US_ASCII);
        packets = parse(raw).stream().filter(p -> indexOf(p.frame(), token) < 0).toList();
        return packets;
    }

    private void flush() throws IOException, InterruptedException {
        byte[] token = probe.token().getBytes(StandardCharsets.US_ASCII);
        try (java.net.DatagramSocket socket = Netns.named(probe.fromNs()).call(java.net.DatagramSocket::new)) {
            socket.setBroadcast(true); // a broadcast draws no ICMP port-unreachable back onto the wire
            var packet =
                    new java.net.DatagramPacket(token, token.length, new java.net.InetSocketAddress(probe.toIp(), 9));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                socket.send(packet);
                Thread.sleep(100);
                byte[] now;
                synchronized (stream) {
                    now = stream.toByteArray();
                }
                if (indexOf(now, token) >= 0) return;
            }
        }
        throw new IllegalStateException("the capture never saw its flush probe " + probe);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** True if {@code marker} occurs anywhere in the capture file: in any frame, at any offset. */
    public boolean contains(String marker) {
        return indexOf(raw, marker.getBytes(StandardCharsets.US_ASCII)) >= 0;
    }

    static List<Packet> parse(byte[] pcap) {
        ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d)
            throw new IllegalStateException("not a little-endian pcap file: magic " + Integer.toHexString(magic));
        List<Packet> out = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= pcap.length) {
            int caplen = b.getInt(pos + 8);
            int start = pos + 16;
            if (start + caplen > pcap.length) break;
            byte[] frame = java.util.Arrays.copyOfRange(pcap, start, start + caplen);
            pos = start + caplen;
            if (frame.length < 34) continue;
            int etherType = ((frame[12] & 0xff) << 8) | (frame[13] & 0xff);
            if (etherType != 0x0800) continue; // ARP and the like carry no payload
            int ihl = (frame[14] & 0x0f) * 4;
            int proto = frame[23] & 0xff;
            String src =
                    (frame[26] & 0xff) + "." + (frame[27] & 0xff) + "." + (frame[28] & 0xff) + "." + (frame[29] & 0xff);
            String dst =
                    (frame[30] & 0xff) + "." + (frame[31] & 0xff) + "." + (frame[32] & 0xff) + "." + (frame[33] & 0xff);
            int l4 = 14 + ihl;
            int sp = 0;
            int dp = 0;
            if ((proto == 6 || proto == 17) && frame.length >= l4 + 4) {
                sp = ((frame[l4] & 0xff) << 8) | (frame[l4 + 1] & 0xff);
                dp = ((frame[l4 + 2] & 0xff) << 8) | (frame[l4 + 3] & 0xff);
            }
            out.add(new Packet(proto, src, dst, sp, dp, frame));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the capture", e);
        }
    }
}
