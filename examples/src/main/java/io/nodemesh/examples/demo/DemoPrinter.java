package io.nodemesh.examples.demo;

import io.nodemesh.api.FlowPath;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.MeshState;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Prints the demo's tables. Output depends only on the inputs (no wall-clock times), so runs can be compared. */
final class DemoPrinter {
    private static final Map<FlowPath, String> PATH_NAMES = Map.of(
            FlowPath.SOCKET_REDIRECT, "socket redirect (same node)",
            FlowPath.KERNEL_STACK, "kernel stack",
            FlowPath.ENCRYPTED_TUNNEL, "WireGuard tunnel",
            FlowPath.NODE_PROXY, "node proxy (L7)",
            FlowPath.NONE, "refused at connect");

    private DemoPrinter() {}

    static void print(
            PrintWriter out, ClusterShape shape, long seed, int connections, MeshState state, DemoReport report) {
        out.printf(
                "nodemesh demo: %s on the simulator (seed %d)%n",
                shape.equals(ClusterShape.ARTICLE) ? "the article's cluster" : "a cluster", seed);
        out.printf(
                "  %d nodes, %d services x %d pods = %d pods (%s)%n",
                shape.nodes(),
                shape.services(),
                shape.podsPerService(),
                shape.pods(),
                report.podsPerNode().entrySet().stream()
                                .limit(6)
                                .map(e -> e.getKey() + ": " + e.getValue())
                                .collect(Collectors.joining(", "))
                        + (report.podsPerNode().size() > 6 ? ", ..." : ""));
        out.printf(
                "  %d policies (%s), encryption %s%s%n",
                state.policies().size(),
                state.policies().stream()
                        .map(p -> p.name() + " " + p.action().name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", ")),
                state.encryption().mode(),
                state.encryption().strict() ? " strict" : "");
        out.printf("  %d connections, %d of them from host processes (in no pod)%n%n", connections, report.fromHost());

        out.println("Connections by path and verdict");
        out.printf("  %-28s %10s %17s %11s%n", "path", "forwarded", "denied (policy)", "no backend");
        for (FlowPath path : FlowPath.values()) {
            out.printf(
                    "  %-28s %10d %17d %11d%n",
                    PATH_NAMES.get(path),
                    report.count(path, Verdict.FORWARDED),
                    report.count(path, Verdict.DROPPED_POLICY),
                    report.count(path, Verdict.NO_BACKEND));
        }
        out.printf("  %-28s %10d%n", "total", report.total());
        out.printf(
                "  flow events: %s%n",
                report.events().entrySet().stream()
                        .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + " " + e.getValue())
                        .collect(Collectors.joining(", ")));
        out.printf(
                "  bytes: %s%n%n",
                report.bytesByPath().entrySet().stream()
                        .map(e -> PATH_NAMES.get(e.getKey()) + " " + e.getValue())
                        .collect(Collectors.joining(", ")));

        ProxyArithmetic arithmetic = new ProxyArithmetic(shape);
        out.printf("Proxies and memory, at %d MB per proxy%n", ProxyArithmetic.MB_PER_PROXY);
        out.printf("  %-22s %8s %9s %18s%n", "model", "proxies", "per node", "memory per node");
        for (ProxyArithmetic.Model m :
                new ProxyArithmetic.Model[] {arithmetic.sidecars(), arithmetic.perNodeProxy(), arithmetic.ebpf()}) {
            out.printf(
                    Locale.ROOT,
                    "  %-22s %8d %9.1f %18s%n",
                    m.name(),
                    m.proxies(),
                    m.proxiesPerNode(),
                    memory(m.mbPerNode()));
        }
        out.println("  Source: the article cites Pranay Singhal tuning Istio sidecars from ~1 GB to 60-70 MB each,");
        out.println("  and puts 100 of them on 3 nodes at about 2 GB per node. The eBPF row counts the L4 path;");
        out.printf(
                "  L7 services (%d here) still use the one proxy per node.%n",
                state.services().stream().filter(s -> s.l7()).count());
        out.flush();
    }

    private static String memory(double mb) {
        long rounded = Math.round(mb);
        return rounded >= 1024 ? String.format(Locale.ROOT, "%d MB (%.1f GB)", rounded, mb / 1024) : rounded + " MB";
    }
}
