package io.nodemesh.contract.gen;

/**
 * Upper bounds on the states {@link MeshStates} generates. Small states find most bugs and keep property tests fast;
 * the larger sizes are for differential tests that want crowding (many backends, many policies).
 *
 * @param maxNodes             nodes, at least 1
 * @param maxWorkloadsPerNode  workloads on each node
 * @param maxServices          services
 * @param maxPolicies          policies
 * @param maxRoutes            HTTP routes (each on an L7 service, so fewer when few services are L7)
 */
public record Sizes(int maxNodes, int maxWorkloadsPerNode, int maxServices, int maxPolicies, int maxRoutes) {
    public static final Sizes SMALL = new Sizes(3, 3, 4, 3, 2);
    public static final Sizes MEDIUM = new Sizes(5, 6, 12, 8, 4);
    public static final Sizes LARGE = new Sizes(20, 20, 100, 40, 20);

    public Sizes {
        if (maxNodes < 1 || maxNodes > 90)
            throw new IllegalArgumentException("maxNodes must be 1..90, was " + maxNodes);
        if (maxWorkloadsPerNode < 0 || maxWorkloadsPerNode > 250) {
            throw new IllegalArgumentException("maxWorkloadsPerNode must be 0..250, was " + maxWorkloadsPerNode);
        }
        if (maxServices < 0 || maxServices > 60_000)
            throw new IllegalArgumentException("maxServices must be 0..60000, was " + maxServices);
        if (maxPolicies < 0 || maxRoutes < 0)
            throw new IllegalArgumentException("maxPolicies and maxRoutes must not be negative");
    }
}
