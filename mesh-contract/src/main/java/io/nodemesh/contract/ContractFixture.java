package io.nodemesh.contract;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cast of every contract scenario, started through a harness: three {@code app=web} backends spread over the
 * harness's nodes, and two client pods ({@code client} on the first node, {@code other} on the second when there is one).
 * Services use VIPs in 10.96.0.0/16; backends listen on {@link #TARGET_PORT}, services expose {@link #SERVICE_PORT}.
 */
final class ContractFixture {
    static final String NS = "contract";
    static final String VIP = "10.96.0.10";
    static final String OTHER_VIP = "10.96.0.11";
    static final String UDP_VIP = "10.96.0.12";
    static final int SERVICE_PORT = 80;
    static final int TARGET_PORT = 8080;
    static final String WEB = NS + "/web";
    static final String API = NS + "/api";
    static final String DNS = NS + "/dns";

    final ContractHarness harness;
    final List<Node> nodes;
    final List<Workload> backends = new ArrayList<>();
    final Workload client;
    final Workload other;

    ContractFixture(ContractHarness harness) {
        this.harness = harness;
        this.nodes = List.copyOf(harness.nodes());
        if (nodes.isEmpty()) throw new IllegalStateException("the harness offers no node");
        for (int i = 0; i < 3; i++) {
            backends.add(start("web-" + i, node(i), Map.of("app", "web")));
        }
        client = start("client", node(0), Map.of("app", "client"));
        other = start("other", node(1), Map.of("app", "other"));
    }

    static String identity(String serviceAccount) {
        return "spiffe://cluster.local/ns/" + NS + "/sa/" + serviceAccount;
    }

    private Workload start(String name, String node, Map<String, String> labels) {
        return harness.startWorkload(new WorkloadSpec(NS, name, node, identity(name), labels, List.of(TARGET_PORT)));
    }

    private String node(int i) {
        return nodes.get(i % nodes.size()).name();
    }

    List<String> backendKeys() {
        return backends.stream().map(Workload::key).toList();
    }

    /** Nodes and workloads, no services. */
    MeshState.Builder base() {
        MeshState.Builder b = MeshState.builder();
        nodes.forEach(b::node);
        backends.forEach(b::workload);
        b.workload(client).workload(other);
        return b;
    }

    /** {@code contract/web} selecting every backend by label. */
    static Service web(LoadBalancing lb, SessionAffinity affinity) {
        return new Service(
                NS,
                "web",
                List.of(VIP),
                List.of(ServicePort.tcp(SERVICE_PORT, TARGET_PORT)),
                List.of(),
                Map.of("app", "web"),
                lb,
                affinity,
                ServiceLayer.L4);
    }

    static Service web() {
        return web(LoadBalancing.RANDOM, SessionAffinity.NONE);
    }

    /** {@code contract/web} with explicit endpoints, one per backend, in the given states. */
    Service webWithEndpoints(EndpointState... states) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            Workload w = backends.get(i);
            endpoints.add(new Endpoint(w.ips().getFirst(), w.key(), states[i]));
        }
        return new Service(
                NS,
                "web",
                List.of(VIP),
                List.of(ServicePort.tcp(SERVICE_PORT, TARGET_PORT)),
                endpoints,
                Map.of(),
                LoadBalancing.RANDOM,
                SessionAffinity.NONE,
                ServiceLayer.L4);
    }

    /** {@code contract/dns}: UDP {@link #SERVICE_PORT} → {@link #TARGET_PORT} on {@link #UDP_VIP}, every backend by label. */
    static Service udpWeb() {
        return new Service(
                NS,
                "dns",
                List.of(UDP_VIP),
                List.of(ServicePort.udp(SERVICE_PORT, TARGET_PORT)),
                List.of(),
                Map.of("app", "web"),
                LoadBalancing.RANDOM,
                SessionAffinity.NONE,
                ServiceLayer.L4);
    }

    /** {@code contract/api}: a second service over the same backends. */
    static Service api() {
        return new Service(
                NS,
                "api",
                List.of(OTHER_VIP),
                List.of(ServicePort.tcp(SERVICE_PORT, TARGET_PORT)),
                List.of(),
                Map.of("app", "web"),
                LoadBalancing.RANDOM,
                SessionAffinity.NONE,
                ServiceLayer.L4);
    }
}
