package io.nodemesh.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A line echo server: every line a client sends comes back as it was. Runs in the test JVM on a listening socket the
 * caller made (in a pod's namespace and the watched cgroup), or on its own as {@code java -cp … LineEcho IP PORT} —
 * a process outside the watched cgroup, as a server on another node's kernel is (it prints {@code ready} once bound).
 */
final class LineEcho implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;

    private LineEcho(ServerSocket server) {
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon().name("line-echo").start(this::acceptLoop);
    }

    static LineEcho serve(ServerSocket server) {
        return new LineEcho(server);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofPlatform().daemon().start(() -> echo(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void echo(Socket s) {
        try (s;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
            OutputStream out = s.getOutputStream();
            for (String line; (line = in.readLine()) != null; ) {
                out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 128, InetAddress.getByName(args[0]));
        new LineEcho(server);
        System.out.println("ready");
        System.out.flush();
        Thread.currentThread().join();
    }
}
