package io.nodemesh.sim;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small states for the simulator's own tests: the harness's three nodes, pods named by where they run. */
final class SimWorld {
    static final String NS = "shop";
    static final String VIP = "10.96.0.10";

    private SimWorld() {}

    static String identity(String name) {
        return "spiffe://cluster.local/ns/" + NS + "/sa/" + name;
    }

    /** A pod {@code name} on node index {@code node} (0..2) with host number {@code host} in that node's CIDR. */
    static Workload pod(String name, int node, int host, Map<String, String> labels) {
        return new Workload(
                NS,
                name,
                SimHarness.NODES.get(node).name(),
                List.of("10.244." + node + "." + host),
                identity(name),
                labels,
                null);
    }

    /** {@code count} backends labelled app=web, spread over the nodes: web-i on node i % 3. */
    static List<Workload> webPods(int count) {
        List<Workload> pods = new ArrayList<>();
        for (int i = 0; i < count; i++) pods.add(pod("web-" + i, i % 3, 10 + i, Map.of("app", "web")));
        return pods;
    }

    static Service web(LoadBalancing lb, SessionAffinity affinity, boolean l7) {
        return new Service(
                NS,
                "web",
                List.of(VIP),
                List.of(ServicePort.tcp(80, 8080)),
                List.of(),
                Map.of("app", "web"),
                lb,
                affinity,
                l7 ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    static Service web(LoadBalancing lb) {
        return web(lb, SessionAffinity.NONE, false);
    }

    static Service webEndpoints(List<Endpoint> endpoints) {
        return new Service(
                NS,
                "web",
                List.of(VIP),
                List.of(ServicePort.tcp(80, 8080)),
                endpoints,
                Map.of(),
                LoadBalancing.RANDOM,
                SessionAffinity.NONE,
                ServiceLayer.L4);
    }

    /** The three nodes, a client pod on node-a, and {@code pods}. */
    static MeshState.Builder state(List<Workload> pods) {
        MeshState.Builder b = MeshState.builder();
        SimHarness.NODES.forEach(b::node);
        b.workload(client());
        pods.forEach(b::workload);
        return b;
    }

    static Workload client() {
        return pod("client", 0, 2, Map.of("app", "client"));
    }
}
