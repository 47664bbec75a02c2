package io.nodemesh.agent;

import io.nodemesh.netlab.NetnsThread;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Traffic from one pod that never pauses: a long stream of numbered lines on one connection to each of two service
 * VIPs (each reply must be the line just sent, so order and completeness are checked message by message), and new
 * connections to the first VIP in a loop, one round trip each. Sockets are made on the pod's namespace thread; every
 * failure is recorded, never retried.
 */
final class LiveTraffic implements AutoCloseable {
    /** One line-echo connection; a reply that differs from the line sent is a failure. */
    private static final class Echo implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Echo(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(60_000);
            socket.setTcpNoDelay(true);
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            this.out = socket.getOutputStream();
        }

        void roundTrip(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = in.readLine();
            if (!line.equals(reply)) throw new IOException("sent '" + line + "' but got '" + reply + "'");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    final String marker;
    final AtomicLong crossStream = new AtomicLong();
    final AtomicLong sameStream = new AtomicLong();
    final AtomicLong connections = new AtomicLong();
    final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final NetnsThread pod;
    private final List<Thread> threads;

    /** Starts the three loops from {@code pod} to {@code crossVip:port} and {@code sameVip:port}. */
    LiveTraffic(NetnsThread pod, String marker, String crossVip, String sameVip, int port) {
        this.pod = pod;
        this.marker = marker;
        InetSocketAddress cross = new InetSocketAddress(crossVip, port);
        InetSocketAddress same = new InetSocketAddress(sameVip, port);
        threads = List.of(
                Thread.ofPlatform().name("traffic-cross-stream").start(() -> stream(cross, "x", crossStream)),
                Thread.ofPlatform().name("traffic-same-stream").start(() -> stream(same, "s", sameStream)),
                Thread.ofPlatform().name("traffic-connections").start(() -> connections(cross)));
    }

    private Echo connect(InetSocketAddress to) throws IOException {
        Socket s = pod.call(() -> {
            Socket socket = new Socket();
            socket.connect(to, 30_000);
            return socket;
        });
        return new Echo(s);
    }

    private void stream(InetSocketAddress to, String tag, AtomicLong sent) {
        try (Echo c = connect(to)) {
            while (running.get()) {
                c.roundTrip(marker + "-" + tag + "-" + (sent.get() + 1));
                sent.incrementAndGet();
            }
        } catch (IOException | RuntimeException e) {
            failures.add("stream to " + to + " after message " + sent.get() + ": " + e);
        }
    }

    private void connections(InetSocketAddress to) {
        while (running.get()) {
            long n = connections.get() + 1;
            try (Echo c = connect(to)) {
                c.roundTrip(marker + "-c-" + n);
                connections.incrementAndGet();
            } catch (IOException | RuntimeException e) {
                failures.add("connection " + n + " to " + to + ": " + e);
                return;
            }
        }
    }

    /** One new connection to {@code to} and one round trip on it, from the pod; throws if it fails. */
    void roundTripOnce(InetSocketAddress to) throws IOException {
        try (Echo c = connect(to)) {
            c.roundTrip(marker + "-once");
        }
    }

    /** Waits for {@code messages} more on each stream and {@code conns} more connections, or the first failure. */
    void awaitProgress(long messages, long conns) throws InterruptedException {
        long x = crossStream.get() + messages;
        long s = sameStream.get() + messages;
        long c = connections.get() + conns;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90); // only ends a failing test
        while (failures.isEmpty() && (crossStream.get() < x || sameStream.get() < s || connections.get() < c)) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("traffic stalled: " + crossStream + " cross-node messages, " + sameStream
                        + " same-node, " + connections + " connections");
            Thread.sleep(10);
        }
        if (!failures.isEmpty()) throw new AssertionError("traffic failed: " + failures);
    }

    /** Stops the loops (each finishes its round trip in flight) and waits for them. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) t.join(90_000);
    }
}
