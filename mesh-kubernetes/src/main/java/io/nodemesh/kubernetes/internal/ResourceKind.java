package io.nodemesh.kubernetes.internal;

/** The kinds of object the feed watches; a change to one marks what it feeds as dirty. */
enum ResourceKind {
    NODE("nodes"),
    POD("pods"),
    SERVICE("services"),
    ENDPOINT_SLICE("endpointslices"),
    MESH_CONFIG("meshconfigs"),
    MESH_POLICY("meshpolicies"),
    MESH_HTTP_ROUTE("meshhttproutes");

    private final String plural;

    ResourceKind(String plural) {
        this.plural = plural;
    }

    String plural() {
        return plural;
    }
}
