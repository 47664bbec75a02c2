package io.nodemesh.examples.lab;

import io.nodemesh.netlab.NetnsThread;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pod's client side: sockets are made (and connected, where the eBPF connect hook translates the VIP) on the pod's
 * thread, so they are the pod's; the round trips then run on the caller's thread. Every failure is thrown, never
 * retried: a refused connect is the answer to a policy question, not noise.
 */
final class PodClient {
    private static final int TIMEOUT_MS = 5_000;
    /** What every TCP and UDP payload is made of: a capture that finds it has seen pod bytes in clear. */
    static final String MARKER = "NODEMESH-LAB-PAYLOAD.";

    private PodClient() {}

    /**
     * What one exchange came to.
     *
     * @param backend   the pod that answered
     * @param bytes     payload bytes sent and received
     * @param rttNanos  each timed round trip
     */
    record Result(String backend, long bytes, long[] rttNanos) {
        String toLine() {
            StringJoiner j = new StringJoiner(",");
            for (long r : rttNanos) j.add(Long.toString(r));
            return backend + " " + bytes + " " + (rttNanos.length == 0 ? "-" : j.toString());
        }

        static Result parse(String line) {
            String[] w = line.split(" ");
            long[] rtts = w[2].equals("-")
                    ? new long[0]
                    : Arrays.stream(w[2].split(",")).mapToLong(Long::parseLong).toArray();
            return new Result(w[0], Long.parseLong(w[1]), rtts);
        }
    }

    static Result exchange(NetnsThread from, PodCommand.Exchange x) throws IOException {
        return switch (x.kind()) {
            case tcp -> tcp(from, x);
            case udp -> udp(from, x);
            case http -> http(from, x);
        };
    }

    static Socket connect(NetnsThread from, String ip, int port) {
        return from.call(() -> {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(ip, port), TIMEOUT_MS);
            } catch (IOException e) {
                s.close();
                throw new IOException("connect to " + ip + ":" + port + ": " + e.getMessage(), e);
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout(TIMEOUT_MS);
            return s;
        });
    }

    private static Result tcp(NetnsThread from, PodCommand.Exchange x) throws IOException {
        try (Socket s = connect(from, x.ip(), x.port())) {
            var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            String backend = roundTrip(in, out, "WHO");
            byte[] line = payload(Math.max(1, x.bytes()));
            line[line.length - 1] = '\n';
            long[] rtts = new long[x.messages()];
            for (int i = 0; i < rtts.length; i++) {
                long t0 = System.nanoTime();
                out.write(line);
                out.flush();
                String reply = in.readLine();
                rtts[i] = System.nanoTime() - t0;
                if (reply == null || reply.length() != line.length - 1)
                    throw new IOException("message " + (i + 1) + " to " + x.ip() + ":" + x.port() + " came back as "
                            + (reply == null ? "end of stream" : reply.length() + " bytes"));
            }
            return new Result(backend, 2L * line.length * rtts.length, rtts);
        }
    }

    /** {@code size} bytes of {@link #MARKER} over and over. */
    private static byte[] payload(int size) {
        byte[] marker = MARKER.getBytes(StandardCharsets.US_ASCII);
        byte[] p = new byte[size];
        for (int i = 0; i < size; i++) p[i] = marker[i % marker.length];
        return p;
    }

    private static String roundTrip(BufferedReader in, OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String reply = in.readLine();
        if (reply == null) throw new IOException("the server closed the connection before answering " + line);
        return reply;
    }

    private static Result udp(NetnsThread from, PodCommand.Exchange x) throws IOException {
        try (DatagramSocket s = from.call(() -> {
            DatagramSocket d = new DatagramSocket();
            d.setSoTimeout(TIMEOUT_MS);
            return d;
        })) {
            InetSocketAddress to = new InetSocketAddress(x.ip(), x.port());
            byte[] payload = payload(Math.max(1, x.bytes()));
            byte[] buffer = new byte[65_536];
            String backend = null;
            long[] rtts = new long[x.messages()];
            for (int i = 0; i < Math.max(1, rtts.length); i++) {
                long t0 = System.nanoTime();
                s.send(new DatagramPacket(payload, payload.length, to));
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                try {
                    s.receive(reply);
                } catch (java.net.SocketTimeoutException e) {
                    throw new IOException(
                            "datagram " + (i + 1) + " to " + to + ": no reply within " + TIMEOUT_MS + " ms");
                }
                long rtt = System.nanoTime() - t0;
                if (i < rtts.length) rtts[i] = rtt;
                String text = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
                backend = text.substring(0, text.indexOf(' '));
                // recvmsg4 reverse-translates: the reply must seem to come from the VIP the client sent to
                if (!reply.getSocketAddress().equals(to))
                    throw new IOException("the reply came from " + reply.getSocketAddress() + ", not " + to);
            }
            return new Result(backend, 2L * payload.length * rtts.length, rtts);
        }
    }

    private static Result http(NetnsThread from, PodCommand.Exchange x) throws IOException {
        try (Socket s = connect(from, x.ip(), x.port())) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] request = ("GET / HTTP/1.1\r\nHost: " + x.ip() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            String backend = null;
            long bytes = 0;
            int n = Math.max(1, x.messages());
            long[] rtts = new long[x.messages()];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                out.write(request);
                out.flush();
                HttpReply reply = HttpReply.read(in);
                if (i < rtts.length) rtts[i] = System.nanoTime() - t0;
                if (reply.status() != 200) throw new IOException("GET / answered " + reply.status());
                backend = reply.body();
                bytes += request.length + reply.size();
            }
            return new Result(backend, bytes, rtts);
        }
    }

    /** New connections in a loop, each one WHO round trip; what answered is kept in order, run-length encoded. */
    static final class Loop {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<String> runs = new ArrayList<>();
        private final List<Integer> counts = new ArrayList<>();
        private final List<String> failures = new ArrayList<>();
        private final Thread thread;

        private Loop(NetnsThread from, String ip, int port) {
            thread = Thread.ofPlatform().name("loop-" + ip).start(() -> {
                while (running.get()) {
                    try (Socket s = connect(from, ip, port)) {
                        var in = new BufferedReader(
                                new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                        record(roundTrip(in, s.getOutputStream(), "WHO"));
                    } catch (IOException | RuntimeException e) {
                        synchronized (this) {
                            failures.add(e.getMessage());
                        }
                    }
                }
            });
        }

        static Loop start(NetnsThread from, String ip, int port) {
            return new Loop(from, ip, port);
        }

        private synchronized void record(String backend) {
            if (!runs.isEmpty() && runs.getLast().equals(backend)) counts.set(counts.size() - 1, counts.getLast() + 1);
            else {
                runs.add(backend);
                counts.add(1);
            }
        }

        /** Stops and answers as {@link #describe()}. */
        String stop() throws InterruptedException {
            running.set(false);
            thread.join();
            return describe();
        }

        /** {@code <backend>=<n>;… <failures> <first failure or ->}: what answered so far, in order. */
        String describe() {
            synchronized (this) {
                StringJoiner j = new StringJoiner(";");
                for (int i = 0; i < runs.size(); i++) j.add(runs.get(i) + "=" + counts.get(i));
                return (runs.isEmpty() ? "-" : j.toString()) + " " + failures.size() + " "
                        + (failures.isEmpty() ? "-" : failures.getFirst());
            }
        }
    }
}
