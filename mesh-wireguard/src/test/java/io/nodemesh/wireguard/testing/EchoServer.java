package io.nodemesh.wireguard.testing;

import io.nodemesh.netlab.Netns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A line echo server whose listening socket lives in a pod's namespace. */
public final class EchoServer implements AutoCloseable {
    public static final int PORT = 7007;
    private final ServerSocket server;

    private EchoServer(ServerSocket server) {
        this.server = server;
        Thread.ofPlatform().daemon().name("echo-accept").start(this::acceptLoop);
    }

    public static EchoServer startIn(String podNs) {
        return new EchoServer(Netns.named(podNs).call(() -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("0.0.0.0", PORT));
            return s;
        }));
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket c = server.accept();
                Thread.ofPlatform().daemon().name("echo-conn").start(() -> serve(c));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serve(Socket c) {
        try (c;
                var in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
            OutputStream out = c.getOutputStream();
            for (String line; (line = in.readLine()) != null; ) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException ignored) {
            // client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
