package io.nodemesh.ebpf.testing;

import io.nodemesh.contract.ConnectOutcome;
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
import java.util.Locale;

/**
 * One-shot clients that report which server answered, or why none did as an errno name. They run on whatever thread
 * calls them, so in a pod's namespace when called on its thread ({@link Pod#thread()}).
 */
public final class Clients {
    private Clients() {}

    static final int TIMEOUT_MS = 3000;

    /** A bash client over /dev/tcp (an AF_INET socket): prints the first line the server sends. */
    static final String BASH_TCP_CLIENT = "exec 3<>/dev/tcp/$1/$2 && head -n 1 <&3";

    /** Opens a TCP connection (a new socket and source port), reads the first line and closes. */
    public static ConnectOutcome tcp(String ip, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.ofLiteral(ip), port), TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            String line =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            return line == null
                    ? new ConnectOutcome.Failed("ECONNRESET (closed without an answer)")
                    : new ConnectOutcome.Reached(line);
        } catch (IOException e) {
            return new ConnectOutcome.Failed(errnoName(e));
        }
    }

    /**
     * Sends one UDP datagram from a new unconnected socket and waits for the answer, which must come from
     * {@code ip:port} itself (for a VIP: the kernel's reverse translation on recvmsg).
     */
    public static ConnectOutcome udp(String ip, int port) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(TIMEOUT_MS);
            byte[] hello = "hello\n".getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(hello, hello.length, new InetSocketAddress(InetAddress.ofLiteral(ip), port)));
            byte[] buf = new byte[512];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            s.receive(reply);
            String from = io.nodemesh.api.state.IpAddresses.canonical(
                    reply.getAddress().getHostAddress());
            if (!from.equals(io.nodemesh.api.state.IpAddresses.canonical(ip)) || reply.getPort() != port) {
                return new ConnectOutcome.Failed(
                        "answer came from " + from + ":" + reply.getPort() + ", not " + ip + ":" + port);
            }
            return new ConnectOutcome.Reached(new String(buf, 0, reply.getLength(), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return new ConnectOutcome.Failed(errnoName(e));
        }
    }

    /** The outcome of a {@link #BASH_TCP_CLIENT} process: its output line, or bash's error turned into an errno name. */
    static ConnectOutcome fromProcess(Shell.Result r) {
        String out = r.output().strip();
        if (r.ok() && !out.isEmpty())
            return new ConnectOutcome.Reached(out.lines().reduce((a, b) -> b).orElse(out));
        return new ConnectOutcome.Failed(errnoName(out.isEmpty() ? "exit " + r.exitCode() : out));
    }

    static String errnoName(IOException e) {
        if (e instanceof SocketTimeoutException) return "ETIMEDOUT";
        return errnoName(String.valueOf(e.getMessage()));
    }

    /** Maps the strerror text Java and bash print to the errno's name; unknown text is kept. */
    static String errnoName(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("connection refused")) return "ECONNREFUSED";
        if (m.contains("operation not permitted")) return "EPERM";
        if (m.contains("permission denied")) return "EACCES";
        if (m.contains("timed out")) return "ETIMEDOUT";
        if (m.contains("no route to host")) return "EHOSTUNREACH";
        if (m.contains("network is unreachable")) return "ENETUNREACH";
        if (m.contains("connection reset")) return "ECONNRESET";
        if (m.contains("exit 124")) return "ETIMEDOUT";
        return message;
    }
}
