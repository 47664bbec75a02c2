package io.nodemesh.sim.bench;

import io.nodemesh.api.lb.Maglev;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.api.state.Workload;
import io.nodemesh.sim.ConnectResult;
import io.nodemesh.sim.HttpRequest;
import io.nodemesh.sim.SimulatedDataplane;
import io.nodemesh.sim.Source;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * How fast the simulator runs (a benchmark, never part of {@code mvn test}). Prints two tables, each with a baseline
 * measured in the same run:
 * <ol>
 *   <li>Maglev table build time by backend count, against filling the same table naively ({@code i % n});</li>
 *   <li>simulated connect + send + close per load-balancing mode on the article's cluster, against the driver loop
 *       alone (picking a random pod and VIP without connecting);</li>
 *   <li>one unconnected UDP datagram and one routed HTTP request, against the same driver loop.</li>
 * </ol>
 * Run: see docs/mesh-sim.md.
 */
public final class SimBenchmark {
    private static final int ROUNDS = 4;
    private static volatile long sink;

    public static void main(String[] args) {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        maglev();
        System.out.println();
        connects(connections);
        System.out.println();
        udpAndHttp(connections);
    }

    /** The per-operation cost of a UDP datagram (sendmsg translation) and of a routed HTTP request, same driver loop. */
    private static void udpAndHttp(int operations) {
        System.out.println(
                "One unconnected UDP datagram / one routed HTTP request (2 rules, 90:10 split), article cluster, "
                        + operations + " operations");
        System.out.printf("  %-14s %12s %14s%n", "operation", "ns/op", "ops/s");
        MeshState state = udpAndL7Cluster();
        List<String> pods = state.workloads().stream().map(Workload::key).toList();
        HttpRequest request = HttpRequest.get("/api/items");
        String[] names = {"driver only", "udp datagram", "http request"};
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(1)) {
            dp.apply(state);
            for (int op = 0; op < names.length; op++) {
                double best = Double.MAX_VALUE;
                for (int round = 0; round < ROUNDS; round++) {
                    SplittableRandom random = new SplittableRandom(round);
                    long start = System.nanoTime();
                    for (int i = 0; i < operations; i++) {
                        String pod = pods.get(random.nextInt(pods.size()));
                        int svc = 1 + random.nextInt(20);
                        switch (op) {
                            case 0 -> sink += pod.length() + svc;
                            case 1 ->
                                sink += dp.sendDatagram(Source.workload(pod), "10.97.0." + svc, 53, 64)
                                                .delivered()
                                        ? 1
                                        : 0;
                            default ->
                                sink += dp.request(Source.workload(pod), "10.96.0." + svc, 80, request)
                                                .routed()
                                        ? 1
                                        : 0;
                        }
                    }
                    long elapsed = System.nanoTime() - start;
                    if (round > 0) best = Math.min(best, (double) elapsed / operations);
                }
                System.out.printf(
                        "  %-14s %12.0f %14s%n",
                        names[op], best, op == 0 ? "(baseline)" : String.format("%,.0f", 1e9 / best));
            }
        }
    }

    /** The article's cluster with every service L7 behind a two-rule route, plus a UDP service per app on 10.97.0.x. */
    private static MeshState udpAndL7Cluster() {
        MeshState base = cluster(LoadBalancing.RANDOM);
        MeshState.Builder b = MeshState.builder();
        base.nodes().forEach(b::node);
        base.workloads().forEach(b::workload);
        for (Service s : base.services()) {
            b.service(new Service(
                    s.namespace(),
                    s.name(),
                    s.vips(),
                    s.ports(),
                    s.endpoints(),
                    s.selector(),
                    s.loadBalancing(),
                    s.affinity(),
                    ServiceLayer.L7));
            b.service(new Service(
                    s.namespace(),
                    s.name() + "-udp",
                    List.of(s.vips().getFirst().replace("10.96.", "10.97.")),
                    List.of(ServicePort.udp(53, 5353)),
                    List.of(),
                    s.selector(),
                    LoadBalancing.RANDOM,
                    SessionAffinity.NONE,
                    ServiceLayer.L4));
            b.route(new HttpRoute(
                    s.namespace(),
                    s.name(),
                    s.key(),
                    List.of(
                            new HttpRouteRule(
                                    List.of(new HttpMatch(PathMatch.ANY, "", Map.of("x-canary", "true"))),
                                    List.of(new WeightedBackend(s.key(), 0, 1)),
                                    null,
                                    null),
                            new HttpRouteRule(
                                    List.of(HttpMatch.path(PathMatch.prefix("/api"))),
                                    List.of(new WeightedBackend(s.key(), 0, 90), new WeightedBackend(s.key(), 0, 10)),
                                    null,
                                    null))));
        }
        return b.build();
    }

    private static void maglev() {
        System.out.println("Maglev table build, M = " + Maglev.DEFAULT_TABLE_SIZE);
        System.out.printf("  %9s %16s %20s%n", "backends", "Maglev (µs)", "baseline i%n (µs)");
        for (int n : new int[] {3, 10, 100, 1000}) {
            List<String> names = IntStream.range(0, n)
                    .mapToObj(i -> "10.0." + (i / 250) + "." + (i % 250))
                    .toList();
            double maglev = timeMicros(() -> sink += Maglev.table(names)[0], 200);
            double baseline = timeMicros(
                    () -> {
                        int[] t = new int[Maglev.DEFAULT_TABLE_SIZE];
                        for (int i = 0; i < t.length; i++) t[i] = i % n;
                        sink += t[0];
                    },
                    200);
            System.out.printf("  %9d %16.1f %20.1f%n", n, maglev, baseline);
        }
    }

    private static void connects(int connections) {
        System.out.println("Simulated connect + 1 send + close, article cluster (3 nodes, 20 services x 5 pods), "
                + connections + " connections");
        System.out.printf("  %-14s %12s %14s%n", "mode", "ns/conn", "conns/s");
        double baseline = perConnection(null, connections);
        System.out.printf("  %-14s %12.0f %14s%n", "driver only", baseline, "(baseline)");
        for (LoadBalancing lb : LoadBalancing.values()) {
            double ns = perConnection(lb, connections);
            System.out.printf("  %-14s %12.0f %,14.0f%n", lb.name().toLowerCase(java.util.Locale.ROOT), ns, 1e9 / ns);
        }
    }

    /** Nanoseconds per connection; {@code lb == null} runs the driver loop alone. */
    private static double perConnection(LoadBalancing lb, int connections) {
        MeshState state = cluster(lb == null ? LoadBalancing.RANDOM : lb);
        List<String> pods = state.workloads().stream().map(Workload::key).toList();
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(1)) {
            dp.apply(state);
            double best = Double.MAX_VALUE;
            // Round 0 warms the JIT up; the best of the others is reported, since other load only ever adds time.
            for (int round = 0; round < ROUNDS; round++) {
                SplittableRandom random = new SplittableRandom(round);
                long start = System.nanoTime();
                for (int i = 0; i < connections; i++) {
                    String pod = pods.get(random.nextInt(pods.size()));
                    String vip = "10.96.0." + (1 + random.nextInt(20));
                    if (lb == null) {
                        sink += pod.length() + vip.length();
                        continue;
                    }
                    ConnectResult r = dp.connect(Source.workload(pod), vip, 80);
                    if (r instanceof ConnectResult.Connected(var c)) {
                        dp.send(c, 512);
                        dp.close(c);
                    }
                }
                long elapsed = System.nanoTime() - start;
                if (round > 0) best = Math.min(best, (double) elapsed / connections);
            }
            return best;
        }
    }

    private static MeshState cluster(LoadBalancing lb) {
        MeshState.Builder b = MeshState.builder();
        for (int n = 0; n < 3; n++) b.node(Node.of("node-" + n, "192.168.0." + (n + 1), "10." + (128 + n) + ".0.0/16"));
        int g = 0;
        for (int s = 0; s < 20; s++) {
            for (int p = 0; p < 5; p++, g++) {
                b.workload(new Workload(
                        "demo",
                        "svc-" + s + "-" + p,
                        "node-" + (g % 3),
                        List.of("10." + (128 + g % 3) + ".0." + (2 + g / 3)),
                        "spiffe://cluster.local/ns/demo/sa/svc-" + s,
                        Map.of("app", "svc-" + s),
                        null));
            }
            b.service(new Service(
                    "demo",
                    "svc-" + s,
                    List.of("10.96.0." + (s + 1)),
                    List.of(ServicePort.tcp(80, 8080)),
                    List.of(),
                    Map.of("app", "svc-" + s),
                    lb,
                    SessionAffinity.NONE,
                    ServiceLayer.L4));
        }
        return b.build();
    }

    /** Best of {@link #ROUNDS} - 1 timed batches after a warm-up batch, in µs per run. */
    private static double timeMicros(Runnable r, int iterations) {
        double best = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) r.run();
            if (round > 0) best = Math.min(best, (System.nanoTime() - start) / 1e3 / iterations);
        }
        return best;
    }
}
