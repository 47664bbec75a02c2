package io.nodemesh.examples.lab;

import io.nodemesh.netlab.ChildProcess;
import io.nodemesh.netlab.Netns;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * dumpcap on the lab's underlay bridge, its pcap read from stdout into memory. Frames reach dumpcap in blocks, so
 * {@link #stop()} first broadcasts a token from a node until the token is in the capture — everything before it is
 * then in too — and leaves the token's frames out.
 */
final class UnderlayCapture implements AutoCloseable {
    private final ChildProcess dumpcap;
    private final ByteArrayOutputStream pcap = new ByteArrayOutputStream();
    private final Thread reader;
    private final byte[] token = ("NMLAB-FLUSH-" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
    private final Netns probeFrom;
    private final String broadcast;
    private byte[] captured;

    private UnderlayCapture(Netns underlay, String bridge, Netns probeFrom, String broadcast) {
        this.probeFrom = probeFrom;
        this.broadcast = broadcast;
        dumpcap = ChildProcess.start(
                "dumpcap on " + bridge,
                new ProcessBuilder(underlay.wrap(List.of("dumpcap", "-q", "-P", "-i", bridge, "-w", "-")))
                        .redirectError(ProcessBuilder.Redirect.DISCARD));
        reader = Thread.ofPlatform().daemon().name("dumpcap").start(this::read);
    }

    /** Starts capturing on the lab's underlay; returns once dumpcap has written its header (its capture is open). */
    static UnderlayCapture start(Lab lab) throws InterruptedException {
        LabNode first = lab.nodes().getFirst();
        String a = first.address();
        UnderlayCapture c = new UnderlayCapture(
                Netns.named(lab.prefix().name("u")),
                LabNetwork.UNDERLAY_BRIDGE,
                Netns.named(first.netns()),
                a.substring(0, a.lastIndexOf('.')) + ".255");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (c.bytes().length < 24) {
            if (!c.dumpcap.isAlive() || System.nanoTime() > deadline) {
                c.dumpcap.close();
                throw new IllegalStateException("dumpcap did not start capturing on the underlay");
            }
            Thread.sleep(10);
        }
        return c;
    }

    private void read() {
        byte[] buffer = new byte[65_536];
        try (InputStream in = dumpcap.process().getInputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                synchronized (pcap) {
                    pcap.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // dumpcap ended
        }
    }

    private byte[] bytes() {
        synchronized (pcap) {
            return pcap.toByteArray();
        }
    }

    /** Flushes, stops dumpcap and returns the IPv4 frames captured, the flush token's left out. */
    List<PcapFrame> stop() throws IOException, InterruptedException {
        if (captured == null) {
            flush();
            dumpcap.stop(Duration.ofSeconds(10));
            reader.join(10_000);
            captured = bytes();
        }
        return PcapFrame.parse(captured).stream()
                .filter(f -> !f.contains(token))
                .toList();
    }

    /** Occurrences of {@code text} anywhere in the capture times its length: bytes of it that crossed in clear. */
    long plaintextBytes(String text) {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        long n = 0;
        for (int i = PcapFrame.indexOf(captured, needle, 0); i >= 0; i = PcapFrame.indexOf(captured, needle, i + 1))
            n++;
        return n * needle.length;
    }

    private void flush() throws IOException, InterruptedException {
        try (DatagramSocket s = probeFrom.call(DatagramSocket::new)) {
            s.setBroadcast(true); // a broadcast draws no ICMP port-unreachable onto the wire
            DatagramPacket probe = new DatagramPacket(token, token.length, new InetSocketAddress(broadcast, 9));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                s.send(probe);
                Thread.sleep(100);
                if (PcapFrame.indexOf(bytes(), token, 0) >= 0) return;
            }
        }
        throw new IllegalStateException("the underlay capture never saw its flush probe");
    }

    @Override
    public void close() {
        dumpcap.close();
    }
}
