package io.nodemesh.planner;

/**
 * Resident memory of one proxy (or of a node's BPF maps): a base plus a term per service and per endpoint the proxy
 * knows (its configuration: listeners, clusters, endpoints). Without scoping, every proxy knows the whole mesh.
 *
 * @param baseMb        MiB with an empty configuration
 * @param perServiceKb  KiB per service known
 * @param perEndpointKb KiB per endpoint known
 * @param source        where the numbers come from
 */
public record MemoryCost(double baseMb, double perServiceKb, double perEndpointKb, String source) {
    public MemoryCost {
        source = source == null ? "" : source;
    }

    /** MiB for a proxy that knows {@code services} services and {@code endpoints} endpoints. */
    public double mb(long services, long endpoints) {
        return baseMb + (perServiceKb * services + perEndpointKb * endpoints) / 1024.0;
    }
}
