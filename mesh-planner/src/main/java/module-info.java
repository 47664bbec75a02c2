/**
 * The nodemesh capacity planner: how many proxies, how much memory per node and what latency under load each dataplane
 * model (per-pod sidecar, per-node proxy, eBPF redirect; with or without encryption) costs for a cluster shape.
 * Only the API packages are exported; the discrete-event simulation lives in {@code internal}.
 */
module io.nodemesh.planner {
    requires transitive io.nodemesh.api; // ClusterShape.of(MeshState) takes its types
    requires io.nodemesh.netlab; // the calibration's namespaces and daemons
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires org.jfree.jfreechart;
    requires java.desktop;

    exports io.nodemesh.planner;
    exports io.nodemesh.planner.report;
    exports io.nodemesh.planner.calibration;
}
