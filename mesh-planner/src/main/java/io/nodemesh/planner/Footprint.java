package io.nodemesh.planner;

/**
 * How many proxies a model runs and the memory they take, per node and in total.
 *
 * @param model             the model
 * @param proxies           proxies in the cluster
 * @param proxiesPerNodeMax proxies on the fullest node
 * @param proxiesPerNodeMean proxies per node on average
 * @param memoryPerProxyMb  memory of one proxy (the model's proxy kind), 0 when it runs none
 * @param memoryPerNodeMeanMb mesh dataplane memory per node on average (proxies + BPF maps)
 * @param memoryPerNodeMaxMb  the same on the fullest node
 * @param memoryTotalMb     in the whole cluster
 */
public record Footprint(
        Model model,
        long proxies,
        int proxiesPerNodeMax,
        double proxiesPerNodeMean,
        double memoryPerProxyMb,
        double memoryPerNodeMeanMb,
        double memoryPerNodeMaxMb,
        double memoryTotalMb) {}
