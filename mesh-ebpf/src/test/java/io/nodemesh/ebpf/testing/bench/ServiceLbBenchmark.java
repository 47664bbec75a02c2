package io.nodemesh.ebpf.testing.bench;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import io.nodemesh.contract.ConnectOutcome;
import io.nodemesh.contract.Privileges;
import io.nodemesh.contract.WorkloadSpec;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.testing.EbpfContractHarness;
import io.nodemesh.ebpf.testing.Pod;
import io.nodemesh.ebpf.testing.Shell;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (not a test) of how a client reaches a service backend on the same node, all in one run:
 * <ul>
 *   <li><b>direct</b> — connect to the backend's address (the floor);</li>
 *   <li><b>iptables DNAT</b> — connect to a VIP that a netfilter DNAT rule rewrites per packet, with conntrack (the
 *       kube-proxy way; the rule sits in the client pod's OUTPUT chain so the host's forwarding stays untouched);</li>
 *   <li><b>nodemesh</b> — connect to a VIP that {@code cgroup/connect4} rewrites once, at connect time.</li>
 * </ul>
 * Latency: sockperf TCP ping-pong, 64-byte messages, p50/p99. Connection rate: {@code bpf/bench/connrate.c}, new TCP
 * connections per second (connect, read one byte, close with RST). Clients and servers are pinned to CPU 0
 * (cross-vCPU wake-ups on these VMs would swamp the difference) and run as processes in the pods. The dataplane runs with socket redirect
 * off, so only address translation differs; its programs are attached in every mode (a direct connect still passes
 * the connect hook and finds no service).
 * <p>
 * Run as root: {@code bpf/bench/service-lb.sh [seconds-per-run] [rounds]}.
 */
public final class ServiceLbBenchmark {
    private static final String VIP = "10.96.0.100";
    private static final String DNAT_VIP = "10.96.1.100";
    private static final int SOCKPERF_PORT = 11111;
    private static final int KEY_PORT = 9090;
    private static final int CONNRATE_PORT = 9091;
    private static final Pattern PERCENTILE = Pattern.compile("percentile (\\d+\\.\\d+) =\\s+([0-9.]+)");

    /** Where a client process runs: in its pod's cgroup (under the dataplane's attach point) or outside every hook. */
    private enum Hooks {
        ATTACHED,
        NONE
    }

    private record Mode(String name, String ip, int latencyPort, int connectPort, int connratePort, Hooks hooks) {}

    private record Sample(double p50, double p99, double connectsPerSecond) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String connrate = System.getProperty("nodemesh.connrate", "mesh-ebpf/target/connrate");
        if (!java.nio.file.Files.isExecutable(java.nio.file.Path.of(connrate))) {
            throw new IllegalStateException(
                    connrate + " not found: build it with gcc -O2 -o " + connrate + " bpf/bench/connrate.c");
        }
        if (!Privileges.isRoot()) throw new IllegalStateException("run as root (network namespaces, cgroups, eBPF)");
        for (String bin : List.of("sockperf", "iptables", "taskset", "ip")) {
            if (!Privileges.onPath(bin)) throw new IllegalStateException(bin + " not found on PATH");
        }
        try (EbpfContractHarness h =
                EbpfContractHarness.start(o -> EbpfDataplane.open(o.with("ebpf.redirect", "false")))) {
            Workload client = h.startWorkload(new WorkloadSpec(
                    "bench",
                    "client",
                    EbpfContractHarness.NODE,
                    "spiffe://cluster.local/ns/bench/sa/client",
                    Map.of(),
                    List.of()));
            Workload server = h.startWorkload(new WorkloadSpec(
                    "bench",
                    "server",
                    EbpfContractHarness.NODE,
                    "spiffe://cluster.local/ns/bench/sa/server",
                    Map.of(),
                    List.of(KEY_PORT)));
            String backend = server.ips().get(0);
            var b = MeshState.builder();
            h.nodes().forEach(b::node);
            b.workload(client).workload(server);
            b.service(new Service(
                    "bench",
                    "svc",
                    List.of(VIP),
                    List.of(
                            ServicePort.tcp(80, SOCKPERF_PORT),
                            ServicePort.tcp(81, KEY_PORT),
                            ServicePort.tcp(82, CONNRATE_PORT)),
                    List.of(Endpoint.ready(backend, server.key())),
                    Map.of(),
                    LoadBalancing.RANDOM,
                    SessionAffinity.NONE,
                    ServiceLayer.L4));
            h.dataplane().apply(b.build());

            Pod clientPod = h.pod(client.key());
            Pod serverPod = h.pod(server.key());
            Shell.check(
                    "ip",
                    "netns",
                    "exec",
                    clientPod.netns(),
                    "iptables",
                    "-t",
                    "nat",
                    "-A",
                    "OUTPUT",
                    "-d",
                    DNAT_VIP,
                    "-p",
                    "tcp",
                    "--dport",
                    "80",
                    "-j",
                    "DNAT",
                    "--to-destination",
                    backend + ":" + SOCKPERF_PORT);
            Shell.check(
                    "ip",
                    "netns",
                    "exec",
                    clientPod.netns(),
                    "iptables",
                    "-t",
                    "nat",
                    "-A",
                    "OUTPUT",
                    "-d",
                    DNAT_VIP,
                    "-p",
                    "tcp",
                    "--dport",
                    "81",
                    "-j",
                    "DNAT",
                    "--to-destination",
                    backend + ":" + KEY_PORT);
            Shell.check(
                    "ip",
                    "netns",
                    "exec",
                    clientPod.netns(),
                    "iptables",
                    "-t",
                    "nat",
                    "-A",
                    "OUTPUT",
                    "-d",
                    DNAT_VIP,
                    "-p",
                    "tcp",
                    "--dport",
                    "82",
                    "-j",
                    "DNAT",
                    "--to-destination",
                    backend + ":" + CONNRATE_PORT);
            // servers run outside the attach cgroup: only the client side's translation is compared
            Process connrateServer = new ProcessBuilder(outsideHooks(
                            "ip",
                            "netns",
                            "exec",
                            serverPod.netns(),
                            "taskset",
                            "-c",
                            "0",
                            connrate,
                            "server",
                            Integer.toString(CONNRATE_PORT)))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Process sockperfServer = new ProcessBuilder(outsideHooks(
                            "ip",
                            "netns",
                            "exec",
                            serverPod.netns(),
                            "taskset",
                            "-c",
                            "0",
                            "sockperf",
                            "server",
                            "--tcp",
                            "-i",
                            "0.0.0.0",
                            "-p",
                            Integer.toString(SOCKPERF_PORT)))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                Thread.sleep(500);
                List<Mode> modes = List.of(
                        new Mode("direct, no eBPF hooks", backend, SOCKPERF_PORT, KEY_PORT, CONNRATE_PORT, Hooks.NONE),
                        new Mode("direct to backend", backend, SOCKPERF_PORT, KEY_PORT, CONNRATE_PORT, Hooks.ATTACHED),
                        new Mode("iptables DNAT", DNAT_VIP, 80, 81, 82, Hooks.ATTACHED),
                        new Mode("nodemesh connect-time", VIP, 80, 81, 82, Hooks.ATTACHED));
                for (Mode m : modes) check(clientPod, m);
                Map<String, List<Sample>> samples = new java.util.LinkedHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    for (Mode m : modes)
                        samples.computeIfAbsent(m.name(), k -> new ArrayList<>())
                                .add(run(clientPod, m, seconds, connrate));
                }
                print(samples, seconds, rounds);
            } finally {
                sockperfServer.destroy();
                connrateServer.destroy();
                sockperfServer.waitFor();
                connrateServer.waitFor();
            }
        }
    }

    /** Every mode must really reach the server before it is measured. */
    private static void check(Pod client, Mode m) {
        ConnectOutcome o = client.connect(m.ip(), m.connectPort());
        if (!(o instanceof ConnectOutcome.Reached))
            throw new IllegalStateException(m.name() + ": " + m.ip() + " does not reach the server: " + o);
    }

    private static Sample run(Pod client, Mode m, int seconds, String connrate) {
        Shell.Result r = exec(
                client,
                m,
                "taskset",
                "-c",
                "0",
                "sockperf",
                "ping-pong",
                "--tcp",
                "-i",
                m.ip(),
                "-p",
                Integer.toString(m.latencyPort()),
                "-m",
                "64",
                "-t",
                Integer.toString(seconds));
        if (!r.ok()) throw new IllegalStateException(m.name() + ": sockperf failed: " + r.output());
        double p50 = percentile(r.output(), "50.000");
        double p99 = percentile(r.output(), "99.000");
        Shell.Result c = exec(
                client,
                m,
                "taskset",
                "-c",
                "0",
                connrate,
                "client",
                m.ip(),
                Integer.toString(m.connratePort()),
                Integer.toString(seconds));
        if (!c.ok()) throw new IllegalStateException(m.name() + ": connrate failed: " + c.output());
        double rate = Double.parseDouble(
                c.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        return new Sample(p50, p99, rate);
    }

    private static Shell.Result exec(Pod client, Mode m, String... command) {
        if (m.hooks() == Hooks.ATTACHED) return client.exec(command);
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", client.netns()));
        argv.addAll(List.of(command));
        return Shell.run(outsideHooks(argv.toArray(String[]::new)));
    }

    /** The command, run from the cgroup-v2 root: outside the test cgroup the dataplane is attached at. */
    private static List<String> outsideHooks(String... command) {
        List<String> argv = new ArrayList<>(
                List.of("sh", "-c", "echo $$ > /sys/fs/cgroup/unified/cgroup.procs && exec \"$@\"", "sh"));
        argv.addAll(List.of(command));
        return argv;
    }

    private static double percentile(String output, String which) {
        Matcher mt = PERCENTILE.matcher(output);
        while (mt.find()) if (mt.group(1).equals(which)) return Double.parseDouble(mt.group(2));
        throw new IllegalStateException("no percentile " + which + " in sockperf output:\n" + output);
    }

    private static void print(Map<String, List<Sample>> samples, int seconds, int rounds) {
        Sample base = median(samples.values().iterator().next());
        System.out.printf(
                Locale.ROOT,
                "%nService connect paths, same node, %d rounds x %d s (median of rounds); latency pinned to CPU 0%n",
                rounds,
                seconds);
        System.out.printf(
                Locale.ROOT,
                "%-24s %10s %10s %14s %12s %12s%n",
                "mode",
                "p50 (us)",
                "p99 (us)",
                "connects/s",
                "p50 vs dir",
                "conn vs dir");
        samples.forEach((name, list) -> {
            Sample s = median(list);
            System.out.printf(
                    Locale.ROOT,
                    "%-24s %10.2f %10.2f %14.0f %11.2fx %11.2fx%n",
                    name,
                    s.p50(),
                    s.p99(),
                    s.connectsPerSecond(),
                    s.p50() / base.p50(),
                    s.connectsPerSecond() / base.connectsPerSecond());
        });
        System.out.println("per round (p50 us / connects/s), to judge the noise:");
        samples.forEach((name, list) -> System.out.printf(
                Locale.ROOT,
                "  %-24s %s%n",
                name,
                list.stream()
                        .map(x -> String.format(Locale.ROOT, "%.2f/%.0f", x.p50(), x.connectsPerSecond()))
                        .toList()));
    }

    private static Sample median(List<Sample> list) {
        return new Sample(
                med(list.stream().mapToDouble(Sample::p50).toArray()),
                med(list.stream().mapToDouble(Sample::p99).toArray()),
                med(list.stream().mapToDouble(Sample::connectsPerSecond).toArray()));
    }

    private static double med(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
