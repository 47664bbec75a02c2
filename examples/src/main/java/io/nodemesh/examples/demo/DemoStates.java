package io.nodemesh.examples.demo;

import io.nodemesh.api.state.MeshState;

/** The demo's cluster-wide state for other commands ({@code nodemesh lab} runs the same mesh on the kernel). */
public final class DemoStates {
    private DemoStates() {}

    /** {@link DemoCluster}'s state for {@code shape}: the one {@code nodemesh demo --seed seed} simulates. */
    public static MeshState build(ClusterShape shape, long seed) {
        return DemoCluster.build(shape, seed);
    }

    /** The port every demo service exposes on its VIP (TCP, to target port {@link #targetPort()}). */
    public static int servicePort() {
        return DemoCluster.SERVICE_PORT;
    }

    public static int targetPort() {
        return DemoCluster.TARGET_PORT;
    }
}
