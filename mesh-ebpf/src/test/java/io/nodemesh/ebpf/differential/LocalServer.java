package io.nodemesh.ebpf.differential;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The servers of a pod on this node, one TCP and one UDP socket on a port, made on the pod's thread so they live in its
 * namespace (and, as threads of this JVM, in the attach cgroup). TCP: the answer line, then an echo until the client
 * closes. UDP: the answer line for every datagram — and it keeps serving when a reply cannot be sent: the kernel
 * refuses a reply that policy forbids (see {@link KnownDivergences}) with EPERM, which must cost only that reply.
 * (The harness's {@code KeyServer} stops its UDP loop on the first such error, so it cannot serve this test.)
 */
final class LocalServer implements AutoCloseable {
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final byte[] answer;

    private LocalServer(ServerSocket tcp, DatagramSocket udp, String answer) {
        this.tcp = tcp;
        this.udp = udp;
        this.answer = (answer + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Binds both sockets to every address of the calling thread's namespace (dual-stack) and starts serving. */
    static LocalServer start(int port, String answer) throws IOException {
        ServerSocket tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(port), 128);
        DatagramSocket udp;
        try {
            udp = new DatagramSocket(new InetSocketAddress(port));
        } catch (IOException e) {
            tcp.close();
            throw e;
        }
        LocalServer server = new LocalServer(tcp, udp, answer);
        Thread.ofPlatform().daemon().name("diff-tcp-" + answer + ":" + port).start(server::acceptLoop);
        Thread.ofPlatform().daemon().name("diff-udp-" + answer + ":" + port).start(server::udpLoop);
        return server;
    }

    private void acceptLoop() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            out.write(answer);
            out.flush();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
        } catch (IOException e) {
            // the client went away
        }
    }

    private void udpLoop() {
        byte[] buf = new byte[2048];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                udp.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException e) {
                // a refused reply or a bad datagram: go on serving unless the socket was closed (checked above)
            }
        }
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing a listener cannot fail in a way that matters here
        }
    }
}
