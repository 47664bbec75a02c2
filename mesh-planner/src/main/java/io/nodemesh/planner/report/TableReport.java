package io.nodemesh.planner.report;

import io.nodemesh.planner.ClusterShape;
import io.nodemesh.planner.Footprint;
import io.nodemesh.planner.LoadPoint;
import io.nodemesh.planner.PlanReport;
import io.nodemesh.planner.ProxyUsage;
import io.nodemesh.planner.TrafficPattern;
import java.util.Locale;

/** The plan as text tables for a terminal: footprint per model, then latency per model and load. */
public final class TableReport {
    private TableReport() {}

    public static String render(PlanReport r) {
        StringBuilder b = new StringBuilder();
        ClusterShape s = r.request().shape();
        b.append(fmt(
                "Cluster: %d nodes, %d services x %d pods = %d pods, %d L7 services; %d-byte messages; parameters: %s%n%n",
                s.nodes(),
                s.services(),
                s.podsPerService(),
                s.pods(),
                s.l7Services(),
                r.request().messageBytes(),
                r.parameters().description()));
        b.append(fmt(
                "%-16s %10s %12s %12s %14s %14s %14s%n",
                "model", "proxies", "proxies/node", "MB/proxy", "MB/node mean", "MB/node max", "MB total"));
        for (Footprint f : r.footprints()) {
            b.append(fmt(
                    "%-16s %10d %12.1f %12.1f %14.1f %14.1f %14.0f%n",
                    f.model().name(),
                    f.proxies(),
                    f.proxiesPerNodeMean(),
                    f.memoryPerProxyMb(),
                    f.memoryPerNodeMeanMb(),
                    f.memoryPerNodeMaxMb(),
                    f.memoryTotalMb()));
        }
        if (!r.loads().isEmpty()) {
            b.append(fmt(
                    "%n%-16s %12s %12s %10s %10s %10s %9s %9s %8s %12s %11s%n",
                    "model",
                    "offered rps",
                    "done rps",
                    "p50 us",
                    "p99 us",
                    "mean us",
                    "L",
                    "lambda*W",
                    "max util",
                    "vCPU/node",
                    "cross-node"));
            for (LoadPoint p : r.loads()) {
                b.append(fmt(
                        "%-16s %12.0f %12.0f %10.1f %10.1f %10.1f %9.3f %9.3f %8.2f %12.3f %10.1f%%%s%n",
                        p.model().name(),
                        p.offeredRps(),
                        p.throughputRps(),
                        p.p50Us(),
                        p.p99Us(),
                        p.meanUs(),
                        p.littleL(),
                        p.littleLambdaW(),
                        p.maxUtilization(),
                        p.proxyVcpuPerNodeMax(),
                        100 * p.crossNodeFraction(),
                        p.saturated() ? "  SATURATED" : ""));
            }
            b.append(
                    "Latencies are round trips (request + response) through the mesh; L and lambda*W check Little's law;\n"
                            + "cross-node: the share of requests whose server ran on another node (locality "
                            + r.request().locality().name().toLowerCase(Locale.ROOT)
                            + ").\n");
            if (r.request().traffic() == TrafficPattern.PAIR) busiest(b, r);
        }
        b.append(fmt("Planned in %.1f s.%n", r.wallSeconds()));
        return b.toString();
    }

    /** The per-proxy table of a single flow, the form Istio publishes its figures in. */
    private static void busiest(StringBuilder b, PlanReport r) {
        b.append(fmt(
                "%n%-16s %12s %-11s %6s %8s %10s %10s%n",
                "model", "offered rps", "proxy", "node", "vCPU", "rps", "MB"));
        for (LoadPoint p : r.loads()) {
            if (p.busiestProxies().isEmpty()) {
                b.append(fmt("%-16s %12.0f %-11s%n", p.model().name(), p.offeredRps(), "(no proxy on the path)"));
            }
            for (ProxyUsage u : p.busiestProxies()) {
                b.append(fmt(
                        "%-16s %12.0f %-11s %6d %8.3f %10.0f %10.1f%n",
                        p.model().name(), p.offeredRps(), u.kind(), u.node(), u.vcpu(), u.rps(), u.memoryMb()));
            }
        }
    }

    static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }
}
