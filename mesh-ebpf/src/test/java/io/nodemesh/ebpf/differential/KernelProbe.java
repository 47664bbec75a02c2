package io.nodemesh.ebpf.differential;

import io.nodemesh.api.Verdict;
import io.nodemesh.ebpf.support.SockKeys.SockKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One real connection attempt on the kernel, on whatever thread calls it (a pod's thread puts it in the pod): connect,
 * read the server's answer (its workload key), and — while the connection is still open — look in {@code nm_sockhash}
 * for the client socket <em>and</em> its peer: sk_msg redirects exactly the sockets whose peer is in the map too.
 */
final class KernelProbe {
    private static final int TIMEOUT_MS = 3000;
    /** Replies come within milliseconds here; an unanswered datagram (see {@link KnownDivergences}) costs this long. */
    private static final int UDP_TIMEOUT_MS = 2000;

    private KernelProbe() {}

    static Outcome connect(String ip, int port, Supplier<List<SockKey>> sockhash) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.ofLiteral(ip), port), TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            String line =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (line == null) return new Outcome.Broken("closed without an answer");
            String local = s.getLocalAddress().getHostAddress();
            int localPort = s.getLocalPort();
            List<SockKey> keys = sockhash.get();
            Optional<SockKey> mine = keys.stream()
                    .filter(k -> k.localPort() == localPort && k.localIp().equals(local))
                    .findFirst();
            boolean redirected = mine.isPresent()
                    && keys.stream()
                            .anyMatch(k -> k.localIp().equals(mine.get().remoteIp())
                                    && k.localPort() == mine.get().remotePort()
                                    && k.remoteIp().equals(local)
                                    && k.remotePort() == localPort);
            return new Outcome.Reached(line.strip(), redirected);
        } catch (IOException e) {
            return refusal(e);
        }
    }

    /**
     * One datagram and the reply, which names the workload that answered. Unconnected, sendmsg translates the datagram
     * (and refuses it: EPERM, or ECONNREFUSED — which the JDK swallows on unconnected sockets, so the attempt then
     * times out); connected, connect translates once and refuses at connect. Either way recvmsg must show the reply as
     * coming from the address dialled. UDP is never redirected.
     */
    static Outcome datagram(String ip, int port, boolean connected) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(UDP_TIMEOUT_MS);
            byte[] hello = "hello\n".getBytes(StandardCharsets.UTF_8);
            InetSocketAddress to = new InetSocketAddress(InetAddress.ofLiteral(ip), port);
            if (connected) s.connect(to);
            s.send(new DatagramPacket(hello, hello.length, to));
            byte[] buf = new byte[512];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            s.receive(reply);
            if (!reply.getSocketAddress().equals(to)) {
                return new Outcome.Broken("reply from " + reply.getSocketAddress() + ", not from " + to
                        + " (recvmsg did not translate back)");
            }
            return new Outcome.Reached(new String(buf, 0, reply.getLength(), StandardCharsets.UTF_8).strip(), false);
        } catch (IOException e) {
            return refusal(e);
        }
    }

    /** ECONNREFUSED is the programs' "no ready backend", EPERM their policy refusal (see docs/ebpf-kernel.md). */
    static Outcome refusal(IOException e) {
        if (e instanceof SocketTimeoutException) return new Outcome.Broken("ETIMEDOUT");
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("connection refused")) return new Outcome.Refused(Verdict.NO_BACKEND);
        if (m.contains("operation not permitted")) return new Outcome.Refused(Verdict.DROPPED_POLICY);
        return new Outcome.Broken(e.toString());
    }
}
