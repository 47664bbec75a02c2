package io.nodemesh.agent.health;

import io.nodemesh.api.state.HttpHealthCheck;
import io.nodemesh.api.state.TcpHealthCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Probes from the agent's own network namespace (the node's), whose routes reach every pod on the node and, through
 * the mesh, the others. TCP: the connection is accepted within the timeout. HTTP: {@code GET path} over HTTP/1.1 answers
 * a status in the expected range within the timeout. The agent's sockets are in the node proxy's cgroup or the node's
 * root; either way they dial the endpoint's own address, never a VIP, so service translation does not apply.
 */
public final class SocketProber implements Prober {
    @Override
    public boolean probe(ProbeTarget target) {
        int timeout = (int) Math.max(1, target.check().schedule().timeout().toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.ip(), target.port()), timeout);
            return switch (target.check()) {
                case TcpHealthCheck tcp -> true;
                case HttpHealthCheck http -> {
                    socket.setSoTimeout(timeout);
                    yield http.expected().contains(status(socket, target.ip(), http.path()));
                }
            };
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The status of {@code GET path}, or -1 when the answer is not HTTP. */
    private static int status(Socket socket, String host, String path) throws IOException {
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + (host.contains(":") ? "[" + host + "]" : host)
                + "\r\nUser-Agent: nodemesh-health\r\nConnection: close\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n' && line.length() < 256; ) line.append((char) c);
        String[] parts = line.toString().trim().split(" ");
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) return -1;
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
