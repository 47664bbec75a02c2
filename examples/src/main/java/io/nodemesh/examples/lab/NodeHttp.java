package io.nodemesh.examples.lab;

import io.nodemesh.netlab.NetnsThread;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * GET on an agent's loopback listener inside its node's namespace: the socket is made on a thread in that namespace
 * (the lab JVM itself lives in the root namespace, where the agent's 127.0.0.1 is another loopback).
 */
final class NodeHttp {
    private NodeHttp() {}

    /** The reply to {@code GET path} on 127.0.0.1:{@code port} in {@code node}'s namespace. */
    static HttpReply get(NetnsThread node, int port, String path) throws IOException {
        try (Socket s = node.call(() -> {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            return socket;
        })) {
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return HttpReply.read(s.getInputStream());
        }
    }
}
