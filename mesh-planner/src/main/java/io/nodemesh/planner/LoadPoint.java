package io.nodemesh.planner;

import java.util.List;

/**
 * The simulated outcome of one model at one offered load. Latencies are round trips (request and response) of the
 * measured requests, in microseconds; the warm-up requests are excluded.
 *
 * @param model          the model
 * @param offeredRps     the offered load
 * @param requests       requests measured
 * @param throughputRps  measured completion rate
 * @param p50Us          median round trip
 * @param p99Us          99th percentile round trip
 * @param meanUs         mean round trip (W in Little's law)
 * @param littleL        time-average requests in flight over the measurement window (L)
 * @param littleLambdaW  arrival rate × mean round trip over the same window (λW); equals L when the books balance
 * @param maxUtilization busiest proxy's busy fraction of its workers (≥ 1: saturated, queues grow without bound)
 * @param proxyVcpuPerNodeMax mesh proxy CPU on the busiest node
 * @param busiestProxies up to five proxies with the most CPU
 * @param simulatedSeconds virtual time simulated
 * @param crossNodeFraction share of the measured requests whose server ran on another node than the client (the ones
 *                          that cross the wire, and the tunnel when there is one)
 */
public record LoadPoint(
        Model model,
        double offeredRps,
        long requests,
        double throughputRps,
        double p50Us,
        double p99Us,
        double meanUs,
        double littleL,
        double littleLambdaW,
        double maxUtilization,
        double proxyVcpuPerNodeMax,
        List<ProxyUsage> busiestProxies,
        double simulatedSeconds,
        double crossNodeFraction) {
    public LoadPoint {
        busiestProxies = List.copyOf(busiestProxies);
    }

    public boolean saturated() {
        return maxUtilization >= 1.0;
    }
}
