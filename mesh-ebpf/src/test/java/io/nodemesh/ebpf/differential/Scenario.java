package io.nodemesh.ebpf.differential;

import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.PolicyAction;
import java.util.List;
import java.util.Set;

/**
 * A random mesh over a fixed set of pods, described by indexes only: the pods (and so their addresses) are made once
 * and reused by every try, because making network namespaces is slow; only their identities and labels, the services,
 * the policies and the attempts change. {@link ScenarioState} turns it into a {@code MeshState} and attempts.
 *
 * @param pods     identity and label of each pod, in {@link MeshPods} order
 * @param services services (at least one)
 * @param policies policies, possibly none
 * @param attempts connection attempts, in order
 */
record Scenario(
        List<PodTraits> pods, List<ServiceShape> services, List<PolicyShape> policies, List<AttemptShape> attempts) {

    /** @param identity index into {@link ScenarioState#IDENTITIES}; {@code app} the value of label {@code app} */
    record PodTraits(int identity, String app) {}

    /**
     * @param bySelector  selector {@code app=<app>}, else the listed {@code endpoints}
     * @param endpoints   pod indexes whose addresses (both families) are the endpoints
     * @param terminating which of {@code endpoints} are TERMINATING rather than READY
     * @param port        service port, TCP and UDP: 80 (target 8080) or 81 (target 9090)
     * @param v6Vip       whether the service also has an IPv6 VIP
     * @param affinity    client session affinity ({@link ScenarioState#AFFINITY_TIMEOUT})
     * @param locality    which endpoints a client prefers (the remote node is in another zone)
     */
    record ServiceShape(
            boolean bySelector,
            String app,
            List<Integer> endpoints,
            Set<Integer> terminating,
            LoadBalancing lb,
            int port,
            boolean v6Vip,
            boolean affinity,
            Locality locality) {}

    /**
     * @param sources      identity indexes, {@link ScenarioState#HOST_SOURCE} for host, {@link ScenarioState#ANY_SOURCE} for *
     * @param destinations identity indexes
     * @param services     service indexes (taken modulo the number of services)
     * @param ports        target ports
     */
    record PolicyShape(
            PolicyAction action,
            List<Integer> sources,
            List<Integer> destinations,
            List<Integer> services,
            List<Integer> ports) {}

    /**
     * @param client    a local pod index, or {@link MeshPods#LOCAL} for a host process
     * @param toService to a service VIP ({@code target} = service index), else straight to a pod ({@code target} = pod index)
     * @param v6        use the IPv6 VIP or address where there is one
     * @param port      for direct attempts: 8080 or 9090
     * @param udp       one UDP datagram instead of a TCP connect
     * @param connected for UDP: from a connected socket rather than an unconnected one
     */
    record AttemptShape(
            int client, boolean toService, int target, boolean v6, int port, boolean udp, boolean connected) {}
}
