package io.nodemesh.planner;

/**
 * Every number the planner's cost model uses; read from a parameter file ({@link ParameterFile}) where each value names
 * its source. {@link ParameterFile#defaults()} gives the documented defaults.
 *
 * @param description     what this parameter set is (defaults, or a calibration run)
 * @param network         segment latencies
 * @param sidecar         the per-pod proxy
 * @param nodeProxy       the per-node proxy (ztunnel-like at L4, Envoy-like when a service needs L7)
 * @param ebpfMaps        BPF map memory per node for the eBPF model
 * @param serviceTimeCv   coefficient of variation of a proxy's service time, 0 (constant) … 1 (exponential)
 * @param serviceTimeCvSource where that comes from
 */
public record PlannerParameters(
        String description,
        NetworkParameters network,
        ProxyParameters sidecar,
        ProxyParameters nodeProxy,
        MemoryCost ebpfMaps,
        double serviceTimeCv,
        String serviceTimeCvSource) {

    public PlannerParameters withNetwork(NetworkParameters n) {
        return new PlannerParameters(description, n, sidecar, nodeProxy, ebpfMaps, serviceTimeCv, serviceTimeCvSource);
    }

    public PlannerParameters withProxies(ProxyParameters newSidecar, ProxyParameters newNodeProxy) {
        return new PlannerParameters(
                description, network, newSidecar, newNodeProxy, ebpfMaps, serviceTimeCv, serviceTimeCvSource);
    }

    public PlannerParameters withDescription(String d) {
        return new PlannerParameters(d, network, sidecar, nodeProxy, ebpfMaps, serviceTimeCv, serviceTimeCvSource);
    }

    public PlannerParameters withServiceTimeCv(double cv, String source) {
        return new PlannerParameters(description, network, sidecar, nodeProxy, ebpfMaps, cv, source);
    }
}
