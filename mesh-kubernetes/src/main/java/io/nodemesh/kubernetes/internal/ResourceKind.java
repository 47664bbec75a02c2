package io.nodemesh.kubernetes.internal;

/** The kinds of object the feed watches; a change to one marks what it feeds as dirty. */
enum ResourceKind {
    NODE("nodes"),
    POD("pods"),
    SERVICE("services"),
    ENDPOINT_SLICE("endpointslices"),
    MESH_CONFIG("meshconfigs"),
    MESH_POLICY("meshpolicies"),
    MESH_HTTP_ROUTE("meshhttproutes"),
    HTTP_ROUTE("httproutes.gateway.networking.k8s.io", true),
    GRPC_ROUTE("grpcroutes.gateway.networking.k8s.io", true);

    private final String plural;
    private final boolean optional;

    ResourceKind(String plural) {
        this(plural, false);
    }

    ResourceKind(String plural, boolean optional) {
        this.plural = plural;
        this.optional = optional;
    }

    String plural() {
        return plural;
    }

    /**
     * Whether the feed goes on without it when the API server does not serve it (its CRDs are not installed) or the
     * agent may not read it: Gateway API is an add-on to a cluster, the mesh's own resources are not.
     */
    boolean optional() {
        return optional;
    }
}
