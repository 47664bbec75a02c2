package io.nodemesh.contract.gen;

import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Protocol;
import java.util.List;

/**
 * The random choices behind one generated state. References between objects are plain ints resolved modulo the number
 * of candidates when the state is built ({@link StateBuilder}), so every plan builds a valid state and jqwik can shrink
 * each choice on its own.
 */
record StatePlan(
        List<NodePlan> nodes,
        List<ServicePlan> services,
        List<PolicyPlan> policies,
        List<RoutePlan> routes,
        EncryptionPlan encryption) {

    record NodePlan(int prefix, byte[] wireguardKey, boolean dualStack, List<WorkloadPlan> workloads) {}

    record WorkloadPlan(int namespace, int app, int serviceAccount, boolean tier, boolean netns, boolean cgroup) {}

    record PortPlan(int port, int targetPort, Protocol protocol, AppProtocol appProtocol) {}

    record ServicePlan(
            int namespace,
            int app,
            List<PortPlan> ports,
            boolean bySelector,
            List<Integer> endpointPicks,
            List<EndpointState> endpointStates,
            boolean external,
            LoadBalancing loadBalancing,
            int affinitySeconds,
            boolean l7,
            boolean v6Vip) {}

    record PolicyPlan(
            int namespace,
            PolicyAction action,
            List<Integer> sources,
            List<Integer> destinations,
            List<Integer> services,
            List<Integer> ports,
            List<Integer> http) {}

    record BackendPlan(int service, int weight, boolean explicitPort) {}

    record RulePlan(
            List<Integer> matches,
            List<BackendPlan> backends,
            int timeoutMillis,
            int attempts,
            int perTryTimeoutMillis,
            List<String> retryOn,
            int fault) {}

    record RoutePlan(List<RulePlan> rules) {}

    record EncryptionPlan(EncryptionSpec.Mode mode, boolean strict, int trustDomain) {}
}
