package io.nodemesh.ebpf.testing;

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
 * A TCP and a UDP server on one port that say who they are: each TCP connection first gets {@code answer + "\n"} and
 * then an echo of everything it sends (so the same server serves "which backend?" probes and ping-pong benchmarks); each
 * UDP datagram gets {@code answer + "\n"} back. Create it on a pod's thread so its sockets live in the pod; it then
 * serves on its own threads.
 */
public final class KeyServer implements AutoCloseable {
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final byte[] answer;

    private KeyServer(ServerSocket tcp, DatagramSocket udp, String answer) {
        this.tcp = tcp;
        this.udp = udp;
        this.answer = (answer + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Binds both sockets to every address of the current thread's namespace (dual-stack) and starts serving. */
    public static KeyServer start(int port, String answer) throws IOException {
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
        KeyServer server = new KeyServer(tcp, udp, answer);
        Thread.ofPlatform().daemon().name("tcp-" + answer + ":" + port).start(server::acceptLoop);
        Thread.ofPlatform().daemon().name("udp-" + answer + ":" + port).start(server::udpLoop);
        return server;
    }

    public int port() {
        return tcp.getLocalPort();
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
        try (s;
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream()) {
            s.setTcpNoDelay(true);
            out.write(answer);
            out.flush();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /**
     * Serves until {@link #close()}: a failed send (EPERM from a policy that refuses the reply, an ICMP error of an
     * earlier datagram reported on this one) only loses that answer, never the server.
     */
    private void udpLoop() {
        byte[] buf = new byte[2048];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                udp.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (udp.isClosed()) return; // closed: the only way out
            }
        }
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
