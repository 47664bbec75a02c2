package io.nodemesh.examples.lab;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * One pod's servers, all answering with the pod's name so a client learns which backend it reached: a TCP line echo
 * on {@link #TCP_PORT} (the line {@code WHO} answers the name), a UDP echo on {@link #UDP_PORT} (the reply is the name,
 * a space, and the datagram) and an HTTP server on {@link #HTTP_PORT} ({@code GET /} answers the name). The listening
 * sockets are made by the caller's thread, inside the pod's namespace and cgroup; accepted sockets inherit both.
 */
final class PodServers implements AutoCloseable {
    static final int TCP_PORT = 8080;
    static final int HTTP_PORT = 8000;
    static final int UDP_PORT = 9000;

    private final String name;
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final HttpServer http;

    /** Binds the three servers on {@code ip}; call it on the pod's thread. */
    PodServers(String name, String ip) throws IOException {
        this.name = name;
        InetAddress address = InetAddress.getByName(ip);
        tcp = new ServerSocket(TCP_PORT, 512, address);
        udp = new DatagramSocket(new InetSocketAddress(address, UDP_PORT));
        http = HttpServer.create(new InetSocketAddress(address, HTTP_PORT), 512);
        byte[] body = name.getBytes(StandardCharsets.US_ASCII);
        http.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        // Platform threads throughout: a virtual thread's blocking read parks on the poller, and the extra wake-up
        // would
        // be measured as path latency.
        http.setExecutor(Executors.newCachedThreadPool());
    }

    /** Starts serving; the loops run on threads of their own (I/O needs no namespace once the socket exists). */
    void start() {
        http.start();
        Thread.ofPlatform().daemon().name("tcp-" + name).start(this::acceptLoop);
        Thread.ofPlatform().daemon().name("udp-" + name).start(this::udpLoop);
    }

    private void acceptLoop() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                Thread.ofPlatform().daemon().start(() -> echo(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void echo(Socket s) {
        try (s;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            for (String line; (line = in.readLine()) != null; ) {
                String reply = line.equals("WHO") ? name : line;
                out.write((reply + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private void udpLoop() {
        byte[] buffer = new byte[65_536];
        byte[] prefix = (name + " ").getBytes(StandardCharsets.US_ASCII);
        while (!udp.isClosed()) {
            try {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                udp.receive(in);
                byte[] reply = new byte[prefix.length + in.getLength()];
                System.arraycopy(prefix, 0, reply, 0, prefix.length);
                System.arraycopy(in.getData(), 0, reply, prefix.length, in.getLength());
                udp.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
            } catch (IOException e) {
                if (udp.isClosed()) return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        http.stop(0);
        udp.close();
        tcp.close();
    }
}
