package io.nodemesh.ebpf.bench;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.support.RawTcp;
import io.nodemesh.ebpf.support.RawTcp.OriginalDst;
import io.nodemesh.ebpf.support.RootSupport;
import io.nodemesh.ebpf.support.TestCgroup;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the {@code cgroup/getsockopt} program of steering.bpf.c costs (not a test; needs root). Once attached it runs
 * on every getsockopt of every socket in the cgroup — by default the whole node — so the number that matters most is
 * the cost it adds to unrelated options. Measured in one run on loopback, interleaved per round, against sockets
 * accepted by a listener outside the attached cgroup (no program: the baseline):
 * <ol>
 *   <li>{@code getsockopt(SOL_SOCKET, SO_RCVBUF)}: baseline vs. with the program (it returns at once);</li>
 *   <li>{@code getsockopt(SOL_IP, SO_ORIGINAL_DST)} on an unsteered socket: baseline (the kernel's ENOENT) vs. with the
 *       program (one hash lookup that misses, the kernel's answer stands);</li>
 *   <li>the same on a connection steered to the proxy (the lookup hits and the VIP is written).</li>
 * </ol>
 * Usage: {@code SteeringBenchmark [calls-per-measurement=1000000] [rounds=5]}.
 */
public final class SteeringBenchmark {
    private static final String PROXY = "127.0.0.1", VIP = "10.96.9.9";
    private static final int PROXY_PORT = 15901, OUTSIDE_PORT = 15902, VIP_PORT = 80;

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Bpf bpf = RootSupport.requireBpf();
        Path pinRoot = RootSupport.BPFFS.resolve(RootSupport.PREFIX).resolve("steerbench");
        List<Integer> fds = new ArrayList<>();
        List<Socket> clients = new ArrayList<>();
        TestCgroup cgroup = TestCgroup.create("steerbench");
        DataplaneOptions options = new DataplaneOptions("n1", Map.of())
                .with("ebpf.pinRoot", pinRoot.toString())
                .with("ebpf.cgroupRoot", cgroup.path().toString())
                .with("ebpf.proxyAddress", PROXY)
                .with("ebpf.proxyPort", Integer.toString(PROXY_PORT));
        try (EbpfDataplane dp = EbpfDataplane.open(bpf, options)) {
            dp.apply(MeshState.builder()
                    .node(Node.of("n1", "192.168.50.1", "10.200.0.0/16"))
                    .service(new Service(
                            "t",
                            "web",
                            List.of(VIP),
                            List.of(ServicePort.tcp(VIP_PORT, 8080)),
                            List.of(Endpoint.ready("10.201.0.1", "")),
                            Map.of(),
                            LoadBalancing.RANDOM,
                            SessionAffinity.NONE,
                            ServiceLayer.L7))
                    .build());
            int outside = track(fds, RawTcp.listen(RawTcp.AF_INET, PROXY, OUTSIDE_PORT)); // made outside: no program
            cgroup.enter();
            int proxy = track(fds, RawTcp.listen(RawTcp.AF_INET, PROXY, PROXY_PORT));
            clients.add(connect(PROXY, OUTSIDE_PORT));
            int plain = track(fds, RawTcp.accept(outside));
            clients.add(connect(PROXY, PROXY_PORT));
            int direct = track(fds, RawTcp.accept(proxy));
            clients.add(connect(VIP, VIP_PORT));
            int steered = track(fds, RawTcp.accept(proxy));
            OriginalDst answer = RawTcp.originalDst(steered, RawTcp.SOL_IP);
            if (!answer.equals(new OriginalDst.Address(new InetSocketAddress(VIP, VIP_PORT)))) {
                throw new IllegalStateException(
                        "the steered socket answered " + answer + ", not the VIP: nothing to measure");
            }
            System.out.println("evidence: SO_ORIGINAL_DST on the steered socket = " + answer
                    + "; on the unsteered one = " + RawTcp.originalDst(direct, RawTcp.SOL_IP)
                    + "; baseline socket = " + RawTcp.originalDst(plain, RawTcp.SOL_IP));

            String[] names = {
                "SO_RCVBUF, no program (baseline)",
                "SO_RCVBUF, program attached",
                "SO_ORIGINAL_DST unsteered, no program (baseline)",
                "SO_ORIGINAL_DST unsteered, program attached",
                "SO_ORIGINAL_DST steered, program attached"
            };
            double[][] ns = new double[names.length][rounds];
            for (int r = -1; r < rounds; r++) { // round -1 warms up the JIT and the caches
                double[] m = {
                    perCall(plain, 1, 8, 4, calls),
                    perCall(direct, 1, 8, 4, calls),
                    perCall(plain, RawTcp.SOL_IP, RawTcp.SO_ORIGINAL_DST, 16, calls),
                    perCall(direct, RawTcp.SOL_IP, RawTcp.SO_ORIGINAL_DST, 16, calls),
                    perCall(steered, RawTcp.SOL_IP, RawTcp.SO_ORIGINAL_DST, 16, calls)
                };
                if (r >= 0) for (int i = 0; i < m.length; i++) ns[i][r] = m[i];
            }
            System.out.printf(
                    Locale.ROOT, "getsockopt through FFM, %d calls x %d rounds (median ns/call)%n", calls, rounds);
            System.out.printf(Locale.ROOT, "%-50s %10s %14s%n", "call", "ns/call", "vs baseline");
            double[] baseline = {median(ns[0]), median(ns[0]), median(ns[2]), median(ns[2]), median(ns[2])};
            for (int i = 0; i < names.length; i++) {
                double med = median(ns[i]);
                System.out.printf(Locale.ROOT, "%-50s %10.1f %+13.1f%n", names[i], med, med - baseline[i]);
            }
            System.out.println("per round: ");
            for (int i = 0; i < names.length; i++)
                System.out.printf(Locale.ROOT, "  %-48s %s%n", names[i], format(ns[i]));
            cgroup.leave();
            dp.uninstall();
        } finally {
            for (Socket s : clients) s.close();
            for (int fd : fds) RawTcp.close(fd);
            cgroup.close();
            RootSupport.removeTree(pinRoot);
            RootSupport.cleanUp();
        }
    }

    private static int track(List<Integer> fds, int fd) {
        fds.add(fd);
        return fd;
    }

    private static Socket connect(String ip, int port) throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(ip, port), 5000);
        return s;
    }

    private static double perCall(int fd, int level, int optname, int size, int calls) {
        return (double) RawTcp.timeGetsockopt(fd, level, optname, size, calls) / calls;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String format(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (double d : v) b.append(b.length() > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.1f", d));
        return b.append("]").toString();
    }
}
