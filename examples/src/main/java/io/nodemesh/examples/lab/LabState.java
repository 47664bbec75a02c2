package io.nodemesh.examples.lab;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.Workload;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The demo's state made real for the lab: each node gets its real WireGuard public key, each workload its placement
 * (the pod's network namespace and cgroup, relative to the node's cgroup root), and each service more ports besides
 * the demo's TCP echo port: HTTP ({@link PodServers#HTTP_PORT}) and, for L4 services (an L7 one is HTTP over TCP
 * only), UDP ({@link PodServers#UDP_PORT}), the same number on the VIP and the pod.
 */
final class LabState {
    private LabState() {}

    static MeshState of(MeshState demo, Map<String, String> publicKeys, Map<String, LabPod> pods) {
        MeshState.Builder b = MeshState.builder();
        for (Node n : demo.nodes()) {
            String key = publicKeys.get(n.name());
            if (key == null) throw new IllegalArgumentException("no WireGuard key for node " + n.name());
            b.node(n.withWireguardPublicKey(key));
        }
        for (Workload w : demo.workloads()) {
            LabPod pod = pods.get(w.key());
            if (pod == null) throw new IllegalArgumentException("no lab pod for workload " + w.key());
            b.workload(w.toBuilder()
                    .placement(
                            pod.netnsPath().toString(),
                            pod.cgroup().getFileName().toString())
                    .build());
        }
        for (Service s : demo.services()) {
            Service.Builder service = s.toBuilder().port(ServicePort.tcp(PodServers.HTTP_PORT, PodServers.HTTP_PORT));
            if (!s.l7()) service.port(ServicePort.udp(PodServers.UDP_PORT, PodServers.UDP_PORT));
            b.service(service.build());
        }
        demo.policies().forEach(b::policy);
        demo.routes().forEach(b::route);
        b.encryption(demo.encryption());
        MeshState state = b.build();
        List<Violation> problems = state.validate();
        if (!problems.isEmpty())
            throw new IllegalStateException("the lab's state is not valid: "
                    + problems.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        return state;
    }

    /** {@code state} with service {@code service}'s backends moved to the pods labelled {@code app=app}. */
    static MeshState withBackends(MeshState state, String service, String app) {
        return state.withService(
                service, s -> s.toBuilder().selector(Map.of("app", app)).build());
    }

    /** The workloads' keys of {@code service}'s backends in {@code state}, in state order. */
    static List<String> backends(MeshState state, String service) {
        Service s = state.services().stream()
                .filter(x -> x.key().equals(service))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + service));
        return state.workloads().stream()
                .filter(w -> w.labels().entrySet().containsAll(s.selector().entrySet()))
                .map(Workload::key)
                .toList();
    }
}
