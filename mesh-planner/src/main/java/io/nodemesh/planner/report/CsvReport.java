package io.nodemesh.planner.report;

import io.nodemesh.planner.Footprint;
import io.nodemesh.planner.LoadPoint;
import io.nodemesh.planner.PlanReport;
import java.util.Locale;

/** The plan as two CSV tables (RFC 4180, header row, '.' decimals): footprints and load points. */
public final class CsvReport {
    private CsvReport() {}

    public static String footprints(PlanReport r) {
        StringBuilder b = new StringBuilder(
                "model,proxies,proxies_per_node_max,proxies_per_node_mean,mb_per_proxy,mb_per_node_mean,mb_per_node_max,mb_total\n");
        for (Footprint f : r.footprints()) {
            b.append(String.format(
                    Locale.ROOT,
                    "%s,%d,%d,%.4f,%.4f,%.4f,%.4f,%.4f%n",
                    f.model().name(),
                    f.proxies(),
                    f.proxiesPerNodeMax(),
                    f.proxiesPerNodeMean(),
                    f.memoryPerProxyMb(),
                    f.memoryPerNodeMeanMb(),
                    f.memoryPerNodeMaxMb(),
                    f.memoryTotalMb()));
        }
        return b.toString();
    }

    public static String loads(PlanReport r) {
        StringBuilder b = new StringBuilder("model,offered_rps,throughput_rps,requests,p50_us,p99_us,mean_us,little_l,"
                + "little_lambda_w,max_utilization,vcpu_per_node_max,simulated_s,saturated,cross_node_fraction\n");
        for (LoadPoint p : r.loads()) {
            b.append(String.format(
                    Locale.ROOT,
                    "%s,%.3f,%.3f,%d,%.3f,%.3f,%.3f,%.6f,%.6f,%.6f,%.6f,%.6f,%b,%.6f%n",
                    p.model().name(),
                    p.offeredRps(),
                    p.throughputRps(),
                    p.requests(),
                    p.p50Us(),
                    p.p99Us(),
                    p.meanUs(),
                    p.littleL(),
                    p.littleLambdaW(),
                    p.maxUtilization(),
                    p.proxyVcpuPerNodeMax(),
                    p.simulatedSeconds(),
                    p.saturated(),
                    p.crossNodeFraction()));
        }
        return b.toString();
    }
}
