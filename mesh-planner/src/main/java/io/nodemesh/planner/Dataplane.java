package io.nodemesh.planner;

/** Where the mesh's per-request work happens. */
public enum Dataplane {
    /** An Envoy-style proxy in every pod: two proxies on every request path (client's and server's). */
    SIDECAR("sidecar"),
    /** One proxy per node: one hop for a same-node request, two (source and destination node) across nodes. */
    NODE_PROXY("node"),
    /** eBPF socket redirect: no proxy for L4 traffic; L7 services go through the source node's proxy. */
    EBPF("ebpf");

    private final String cliName;

    Dataplane(String cliName) {
        this.cliName = cliName;
    }

    /** The name used in model strings and reports, e.g. {@code sidecar}. */
    public String cliName() {
        return cliName;
    }
}
