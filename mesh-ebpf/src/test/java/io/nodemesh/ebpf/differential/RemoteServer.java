package io.nodemesh.ebpf.differential;

import io.nodemesh.ebpf.testing.Pod;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The servers of a pod on the <em>other</em> node: a separate process in the pod's namespace but outside the cgroup the
 * programs are attached at, so its sockets are invisible to this node's sockops — as a socket on another node's kernel
 * would be. It answers each TCP connection on every port given with {@code answer + "\n"} and closes, and each UDP
 * datagram to those ports with the same line.
 */
final class RemoteServer implements AutoCloseable {
    private static final String SERVER = """
            import socket, sys, threading
            answer = (sys.argv[1] + "\\n").encode()
            def serve(port):
                s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                s.bind(("::", port)); s.listen(64)
                return s
            def loop(s):
                while True:
                    c, _ = s.accept()
                    try: c.sendall(answer)
                    finally: c.close()
            def udp(port):
                u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                u.bind(("::", port))
                while True:
                    _, peer = u.recvfrom(2048)
                    u.sendto(answer, peer)
            socks = [serve(int(p)) for p in sys.argv[2:]]
            for s in socks: threading.Thread(target=loop, args=(s,), daemon=True).start()
            for p in sys.argv[2:]: threading.Thread(target=udp, args=(int(p),), daemon=True).start()
            print("ready", flush=True)
            sys.stdin.read()
            """;

    private final Process process;

    private RemoteServer(Process process) {
        this.process = process;
    }

    /**
     * Starts the server in {@code pod}'s namespace and moves it into {@code outsideCgroup} first (a cgroup-v2 directory
     * that is not below the attach point). Returns once it listens.
     */
    static RemoteServer start(Pod pod, Path outsideCgroup, String answer, List<Integer> ports) {
        List<String> argv = new java.util.ArrayList<>(List.of(
                "sh",
                "-c",
                "echo $$ > \"$0\" && exec \"$@\"",
                outsideCgroup.resolve("cgroup.procs").toString(),
                "ip",
                "netns",
                "exec",
                pod.netns(),
                "python3",
                "-c",
                SERVER,
                answer));
        ports.forEach(p -> argv.add(Integer.toString(p)));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String line =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (!"ready".equals(line)) {
                p.destroyForcibly();
                throw new IllegalStateException("server for " + pod + " did not start: " + line);
            }
            return new RemoteServer(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the server of " + pod, e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
