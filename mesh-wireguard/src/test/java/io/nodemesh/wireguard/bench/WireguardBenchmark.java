package io.nodemesh.wireguard.bench;

import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.netlab.Commands;
import io.nodemesh.wireguard.WireguardDataplane;
import io.nodemesh.wireguard.WireguardPrivateKey;
import io.nodemesh.wireguard.testing.Await;
import io.nodemesh.wireguard.testing.EchoClient;
import io.nodemesh.wireguard.testing.EchoServer;
import io.nodemesh.wireguard.testing.MeshTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (not a test): pod-to-pod across two nodes in one run, three ways — the plain underlay, a WireGuard tunnel
 * configured by nodemesh, and the same tunnel configured by hand with {@code wg} and {@code ip}. Throughput with iperf3
 * (unpinned), 64-byte TCP ping-pong latency with sockperf with client, server and wireguard-go pinned to CPU 0 (on
 * these VMs a cross-vCPU wake-up costs ~40 µs and would swamp every path). Prints a table with the ratios.
 * <p>
 * Run as root: {@code mvn -o -q -pl mesh-wireguard test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.nodemesh.wireguard.bench.WireguardBenchmark -Dexec.args="5"} (seconds per measurement).
 */
public final class WireguardBenchmark {
    private static final Pattern P50 = Pattern.compile("percentile 50\\.000 =\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("percentile 99\\.000 =\\s+([0-9.]+)");
    private static final Pattern BPS =
            Pattern.compile("\"sum_received\":\\s*\\{[^}]*\"bits_per_second\":\\s*([0-9.e+]+)");

    record Result(double gbits, double p50us, double p99us) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Map<String, Result> results = new LinkedHashMap<>();
        try (MeshTopology topo = MeshTopology.create(2)) {
            results.put("plain underlay (veth + bridge)", measure(topo, seconds));
            results.put("WireGuard, configured by nodemesh", withNodemesh(topo, seconds, false));
            results.put("  same, plus strict mode (nftables)", withNodemesh(topo, seconds, true));
            results.put("WireGuard, configured by hand (wg, ip)", withHandConfiguredTunnel(topo, seconds));
        }
        print(results, seconds);
    }

    private static Result withNodemesh(MeshTopology topo, int seconds, boolean strict) throws Exception {
        List<MeshDataplane> dps = new ArrayList<>();
        try {
            for (int i = 1; i <= 2; i++) dps.add(Dataplanes.open("wireguard", topo.options(i)));
            var b = MeshState.builder()
                    .encryption(new EncryptionSpec(
                            EncryptionSpec.Mode.WIREGUARD,
                            (strict ? EncryptionSpec.Enforcement.STRICT : EncryptionSpec.Enforcement.PERMISSIVE),
                            ""));
            for (int i = 1; i <= 2; i++)
                b.node(topo.meshNode(i)
                        .withWireguardPublicKey(((WireguardDataplane) dps.get(i - 1))
                                .publicKey()
                                .base64()));
            MeshState s = b.build();
            for (MeshDataplane dp : dps) dp.apply(s);
            return measure(topo, seconds);
        } finally {
            for (MeshDataplane dp : dps) dp.close();
            for (int i = 1; i <= 2; i++) io.nodemesh.wireguard.WireguardDataplane.uninstall(topo.options(i));
            // Same interface names next time: wait until the devices are really gone.
            Await.until(() -> !Files.exists(Path.of("/var/run/wireguard/" + topo.wgIface(1) + ".sock")), 10);
        }
    }

    /** The same tunnel as nodemesh makes (port, MTU, address, route metric), typed in by hand; no strict mode. */
    private static Result withHandConfiguredTunnel(MeshTopology topo, int seconds) throws Exception {
        List<Process> daemons = new ArrayList<>();
        Path keys = Files.createTempDirectory("nmw-bench-keys");
        try {
            WireguardPrivateKey[] key = {WireguardPrivateKey.generate(), WireguardPrivateKey.generate()};
            for (int i = 1; i <= 2; i++) {
                ProcessBuilder pb = new ProcessBuilder(
                                "ip", "netns", "exec", topo.nodeNs(i), "wireguard-go", "-f", topo.wgIface(i))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
                pb.environment().put("LOG_LEVEL", "error");
                daemons.add(pb.start());
            }
            for (int i = 1; i <= 2; i++) {
                int peer = 3 - i;
                String iface = topo.wgIface(i);
                Await.until(() -> Files.exists(Path.of("/var/run/wireguard/" + iface + ".sock")), 10);
                Path keyFile = keys.resolve("k" + i);
                Files.createFile(
                        keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(keyFile, key[i - 1].revealBase64());
                Commands.check(
                        "ip",
                        "netns",
                        "exec",
                        topo.nodeNs(i),
                        "wg",
                        "set",
                        iface,
                        "private-key",
                        keyFile.toString(),
                        "listen-port",
                        "51820",
                        "peer",
                        key[peer - 1].publicKey().base64(),
                        "endpoint",
                        MeshTopology.nodeAddress(peer) + ":51820",
                        "allowed-ips",
                        MeshTopology.podCidr(peer));
                MeshTopology.ip(topo.nodeNs(i), "link", "set", iface, "mtu", "1420", "up");
                MeshTopology.ip(topo.nodeNs(i), "address", "add", "10.210." + i + ".254/32", "dev", iface);
                MeshTopology.ip(
                        topo.nodeNs(i),
                        "route",
                        "add",
                        MeshTopology.podCidr(peer),
                        "dev",
                        iface,
                        "metric",
                        "10",
                        "src",
                        "10.210." + i + ".254");
            }
            return measure(topo, seconds);
        } finally {
            for (Process p : daemons) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            try (var files = Files.walk(keys)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Result measure(MeshTopology topo, int seconds) throws Exception {
        String server = MeshTopology.podIp(2);
        try (EchoServer echo = EchoServer.startIn(topo.podNs(2))) {
            if (!Await.until(() -> EchoClient.canReach(topo.podNs(1), server, 2000), 30))
                throw new IllegalStateException("pod 1 cannot reach pod 2");
        }
        // Latency: everything that handles a packet on CPU 0, wireguard-go included.
        List<String> wgPids = new ArrayList<>();
        for (int i = 1; i <= 2; i++)
            wgPids.addAll(Commands.check("ip", "netns", "pids", topo.nodeNs(i))
                    .lines()
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList());
        for (String pid : wgPids) Commands.check("taskset", "-a", "-p", "-c", "0", pid);
        Process sockperfServer = new ProcessBuilder(
                        "taskset",
                        "-c",
                        "0",
                        "ip",
                        "netns",
                        "exec",
                        topo.podNs(2),
                        "sockperf",
                        "sr",
                        "--tcp",
                        "-i",
                        server,
                        "-p",
                        "11111")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String pp;
        try {
            Thread.sleep(500); // sockperf's server has no readiness signal; a probe connection would count as a client
            pp = Commands.run(
                            Duration.ofSeconds(seconds + 60L),
                            null,
                            List.of(
                                    "taskset",
                                    "-c",
                                    "0",
                                    "ip",
                                    "netns",
                                    "exec",
                                    topo.podNs(1),
                                    "sockperf",
                                    "pp",
                                    "--tcp",
                                    "-i",
                                    server,
                                    "-p",
                                    "11111",
                                    "-m",
                                    "64",
                                    "-t",
                                    Integer.toString(seconds)))
                    .orThrow();
        } finally {
            sockperfServer.destroy();
            sockperfServer.waitFor(5, TimeUnit.SECONDS);
        }
        for (String pid : wgPids)
            Commands.run(
                    "taskset", "-a", "-p", "-c", "0-" + (Runtime.getRuntime().availableProcessors() - 1), pid);
        // Throughput, unpinned.
        Process iperfServer = new ProcessBuilder(
                        "ip", "netns", "exec", topo.podNs(2), "iperf3", "-s", "-1", "-B", server)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String json;
        try {
            Thread.sleep(300);
            json = Commands.run(
                            Duration.ofSeconds(seconds + 60L),
                            null,
                            List.of(
                                    "ip",
                                    "netns",
                                    "exec",
                                    topo.podNs(1),
                                    "iperf3",
                                    "-c",
                                    server,
                                    "-t",
                                    Integer.toString(seconds),
                                    "-J"))
                    .orThrow();
        } finally {
            iperfServer.destroy();
            iperfServer.waitFor(5, TimeUnit.SECONDS);
        }
        return new Result(
                number(BPS, json, "iperf3 bits_per_second") / 1e9,
                number(P50, pp, "sockperf p50"),
                number(P99, pp, "sockperf p99"));
    }

    private static double number(Pattern p, String text, String what) {
        Matcher m = p.matcher(text);
        if (!m.find()) throw new IllegalStateException("no " + what + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    private static void print(Map<String, Result> results, int seconds) {
        Result plain = results.values().iterator().next();
        Result hand = results.get("WireGuard, configured by hand (wg, ip)");
        System.out.printf(
                Locale.ROOT,
                "%nnodemesh WireGuard benchmark: pod -> pod across two nodes, %d s per measurement%n",
                seconds);
        System.out.printf(
                Locale.ROOT,
                "%-42s %10s %9s %9s %12s %12s%n",
                "path",
                "Gbit/s",
                "p50 us",
                "p99 us",
                "tput/plain",
                "p50/hand");
        results.forEach((name, r) -> System.out.printf(
                Locale.ROOT,
                "%-42s %10.2f %9.1f %9.1f %12.3f %12.3f%n",
                name,
                r.gbits(),
                r.p50us(),
                r.p99us(),
                r.gbits() / plain.gbits(),
                r.p50us() / hand.p50us()));
        Result nm = results.get("WireGuard, configured by nodemesh");
        System.out.printf(
                Locale.ROOT,
                "nodemesh / hand-configured: throughput %.3f, p50 latency %.3f%n",
                nm.gbits() / hand.gbits(),
                nm.p50us() / hand.p50us());
    }
}
