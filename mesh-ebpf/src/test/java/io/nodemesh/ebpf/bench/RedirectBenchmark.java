package io.nodemesh.ebpf.bench;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.bpf.ArrayView;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.bpf.BpfObject;
import io.nodemesh.ebpf.bpf.CgroupAttach;
import io.nodemesh.ebpf.bpf.CgroupLink;
import io.nodemesh.ebpf.bpf.Codec;
import io.nodemesh.ebpf.bpf.HashMapView;
import io.nodemesh.ebpf.bpf.SkMsgAttach;
import io.nodemesh.ebpf.bpf.SkMsgLink;
import io.nodemesh.ebpf.support.RootSupport;
import io.nodemesh.ebpf.support.TestCgroup;
import io.nodemesh.ebpf.testing.PodNetwork;
import io.nodemesh.netlab.Netns;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Same-node pod→pod benchmark (not a test): 64-byte TCP ping-pong latency (sockperf, p50/p99) and single-stream
 * throughput (iperf3) between two network-namespace pods on a bridge, measured in one run over three paths:
 * <ol>
 *   <li>plain veth + bridge (the baseline),</li>
 *   <li>a minimal hand-written sockops/sk_msg redirect (mesh-ebpf's src/test/bpf/core_test.bpf.c),</li>
 *   <li>nodemesh's own programs through {@link EbpfDataplane} (redirect, policy and LB all on).</li>
 * </ol>
 * Every process runs pinned to CPU 0 ({@code taskset -c 0}): on these VMs a cross-vCPU wake-up costs ~40 µs and swamps
 * every path. Run as root: {@code mesh-ebpf/bench/redirect-bench.sh [seconds]}.
 */
public final class RedirectBenchmark {
    /** Pod a's and b's addresses, from the pod network (a free 10.200.X.0/24). */
    static String A, B;

    static final int SOCKPERF_PORT = 11111, IPERF_PORT = 5201;

    record Result(double p50, double p99, double gbits, String evidence) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Bpf bpf = RootSupport.requireBpf();
        Map<String, Result> results = new LinkedHashMap<>();
        try (PodNetwork pods = PodNetwork.create();
                TestCgroup cgroup = TestCgroup.create("bench")) {
            A = pods.addPod("a").ipv4();
            B = pods.addPod("b").ipv4();
            results.put("plain veth", measure(cgroup, seconds, "no programs"));
            try (BpfObject obj = bpf.load(RootSupport.testObject("core_test"));
                    CgroupLink sockops = obj.program("test_sockops").attach(new CgroupAttach(cgroup.path()));
                    SkMsgLink msg = obj.program("test_sk_msg").attach(new SkMsgAttach(obj.map("test_sockhash")))) {
                var ports = HashMapView.hash(obj.map("local_ports"), Codec.U32, Codec.U32);
                ports.put(SOCKPERF_PORT, 1);
                ports.put(IPERF_PORT, 1);
                ArrayView<Long> counters = ArrayView.of(obj.map("test_counters"), Codec.U64);
                Result r = measure(cgroup, seconds, "");
                results.put(
                        "minimal redirect",
                        new Result(r.p50, r.p99, r.gbits, counters.get(1) + " messages redirected"));
            }
            Path pinRoot = RootSupport.BPFFS.resolve(RootSupport.PREFIX).resolve("bench");
            DataplaneOptions options = new DataplaneOptions("n1", Map.of())
                    .with("ebpf.pinRoot", pinRoot.toString())
                    .with("ebpf.cgroupRoot", cgroup.path().toString());
            try (EbpfDataplane dp = EbpfDataplane.open(bpf, options);
                    Bpf.RunStats stats = bpf.enableRunStats()) {
                try {
                    dp.apply(MeshState.builder()
                            .node(Node.of("n1", "192.168.50.1", pods.cidrV4()))
                            .workload(pod("a", A))
                            .workload(pod("b", B))
                            .build());
                    Result r = measure(cgroup, seconds, "");
                    long runs = dp.installation().program("nm_msg").info().runCount();
                    results.put("nodemesh", new Result(r.p50, r.p99, r.gbits, "nm_msg ran " + runs + " times"));
                } finally {
                    dp.uninstall();
                }
            }
        } finally {
            RootSupport.cleanUp();
        }
        print(results, seconds);
    }

    static Workload pod(String name, String ip) {
        return new Workload(
                "bench",
                name,
                "n1",
                List.of(ip),
                "spiffe://cluster.local/ns/bench/sa/" + name,
                Map.of(),
                new Placement(
                        Netns.named(RootSupport.PREFIX + "-" + name).path().toString(), ""));
    }

    static Result measure(TestCgroup cgroup, int seconds, String evidence) throws Exception {
        Process server = inPod(cgroup, "b", "sockperf", "sr", "--tcp", "-i", B, "-p", Integer.toString(SOCKPERF_PORT));
        double p50, p99;
        try {
            Thread.sleep(500);
            String out = run(inPod(
                    cgroup,
                    "a",
                    "sockperf",
                    "pp",
                    "--tcp",
                    "-i",
                    B,
                    "-p",
                    Integer.toString(SOCKPERF_PORT),
                    "-m",
                    "64",
                    "-t",
                    Integer.toString(seconds)));
            p50 = percentile(out, "50.000");
            p99 = percentile(out, "99.000");
        } finally {
            stop(server);
        }
        Process iperfServer = inPod(cgroup, "b", "iperf3", "-s", "-1", "-B", B, "-p", Integer.toString(IPERF_PORT));
        double gbits;
        try {
            Thread.sleep(500);
            String json = run(inPod(
                    cgroup,
                    "a",
                    "iperf3",
                    "-c",
                    B,
                    "-p",
                    Integer.toString(IPERF_PORT),
                    "-t",
                    Integer.toString(seconds),
                    "-J"));
            Matcher m = Pattern.compile(
                            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.e+]+)", Pattern.DOTALL)
                    .matcher(json);
            if (!m.find()) throw new IllegalStateException("no iperf3 result in:\n" + json);
            gbits = Double.parseDouble(m.group(1)) / 1e9;
        } finally {
            stop(iperfServer);
        }
        return new Result(p50, p99, gbits, evidence);
    }

    /** Runs {@code command} inside pod {@code pod}, in the benchmark cgroup, pinned to CPU 0. */
    static Process inPod(TestCgroup cgroup, String pod, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "sh",
                "-c",
                "echo $$ > " + cgroup.path().resolve("cgroup.procs") + " && exec ip netns exec " + RootSupport.PREFIX
                        + "-" + pod + " taskset -c 0 \"$@\"",
                "sh"));
        cmd.addAll(List.of(command));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    static String run(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(
                    "benchmark client failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + "):\n" + out);
        }
        return out;
    }

    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
    }

    static double percentile(String sockperf, String which) {
        Matcher m = Pattern.compile("percentile " + Pattern.quote(which) + " =\\s*([0-9.]+)")
                .matcher(sockperf);
        if (!m.find()) throw new IllegalStateException("no percentile " + which + " in sockperf output:\n" + sockperf);
        return Double.parseDouble(m.group(1));
    }

    static void print(Map<String, Result> r, int seconds) {
        Result veth = r.get("plain veth"), min = r.get("minimal redirect"), nm = r.get("nodemesh");
        System.out.printf(Locale.ROOT, "%nSame-node pod->pod, TCP, pinned to CPU 0, %d s per measurement%n", seconds);
        System.out.printf(
                Locale.ROOT,
                "%-26s %12s %18s %12s %16s %18s%n",
                "metric",
                "plain veth",
                "minimal redirect",
                "nodemesh",
                "nodemesh/veth",
                "nodemesh/minimal");
        row("64 B ping-pong p50 (us)", veth.p50, min.p50, nm.p50);
        row("64 B ping-pong p99 (us)", veth.p99, min.p99, nm.p99);
        row("1 stream (Gbit/s)", veth.gbits, min.gbits, nm.gbits);
        System.out.println();
        r.forEach((k, v) -> {
            if (!v.evidence.isEmpty()) System.out.println(k + ": " + v.evidence);
        });
    }

    static void row(String name, double veth, double min, double nm) {
        System.out.printf(
                Locale.ROOT, "%-26s %12.2f %18.2f %12.2f %16.2f %18.2f%n", name, veth, min, nm, nm / veth, nm / min);
    }

    private RedirectBenchmark() {}
}
