package io.nodemesh.wireguard.testing;

import io.nodemesh.netlab.Netns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A request/response client whose socket lives in a pod's namespace: sends a line, waits for the same line back. */
public final class EchoClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;

    private EchoClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Connects from {@code podNs} to {@code ip}; {@code timeoutMillis} bounds the connect and every reply. */
    public static EchoClient connect(String podNs, String ip, int timeoutMillis) {
        return Netns.named(podNs).call(() -> {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMillis);
            s.connect(new InetSocketAddress(ip, EchoServer.PORT), timeoutMillis);
            return new EchoClient(s);
        });
    }

    /** One request/response; throws if the reply differs or does not come within the timeout. */
    public void roundTrip(String line) throws IOException {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        String reply = in.readLine();
        if (!line.equals(reply)) throw new IOException("expected echo of '" + line + "' but got '" + reply + "'");
    }

    /** True if a fresh connection from {@code podNs} to {@code ip} completes a round trip within the timeout. */
    public static boolean canReach(String podNs, String ip, int timeoutMillis) {
        try (EchoClient c = connect(podNs, ip, timeoutMillis)) {
            c.roundTrip("ping");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
