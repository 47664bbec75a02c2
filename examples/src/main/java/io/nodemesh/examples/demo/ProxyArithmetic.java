package io.nodemesh.examples.demo;

/**
 * The article's arithmetic for a cluster shape: how many proxies each dataplane model runs, and the memory they take
 * per node at {@link #MB_PER_PROXY}.
 * <p>
 * Source of the per-proxy figure: the article (seed/, "How eBPF streamlines the service mesh") cites Pranay Singhal,
 * who tuned Istio sidecars from about 1 GB down to 60–70 MB each; it then puts 100 such proxies on 3 nodes at
 * "about 2 GB per node". We take the middle of that range.
 *
 * @param shape the cluster
 */
record ProxyArithmetic(ClusterShape shape) {
    /** Megabytes per tuned proxy: the middle of the article's 60–70 MB. */
    static final int MB_PER_PROXY = 65;

    /** One proxy row. */
    record Model(String name, long proxies, double proxiesPerNode, double mbPerNode) {}

    /** One sidecar in every pod. */
    Model sidecars() {
        long proxies = shape.pods();
        return model("per-pod sidecars", proxies);
    }

    /** One proxy per node (Cilium's model: one Envoy per node, as mesh-envoy does). */
    Model perNodeProxy() {
        return model("per-node proxy", shape.nodes());
    }

    /** eBPF in each node's kernel: no proxy on the L4 path (L7 services still use the node proxy). */
    Model ebpf() {
        return model("eBPF (L4 path)", 0);
    }

    private Model model(String name, long proxies) {
        double perNode = (double) proxies / shape.nodes();
        return new Model(name, proxies, perNode, perNode * MB_PER_PROXY);
    }
}
