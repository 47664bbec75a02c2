package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.TD;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * grpc-java's xDS client on node-a follows the EDS priorities of a {@link Locality#PREFER_NODE} service: every call
 * goes to node-a's backend; when it dies, to node-b's (same zone); then to node-c's (another zone). Each node's
 * "pods" are loopback addresses of its own pod CIDR, so the three servers share one port.
 */
class ProxylessLocalityTest {
    private static final List<String> NODES = List.of("node-a", "node-b", "node-c");

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, Echo.Backend> backends = new HashMap<>();
    private EnvoyDataplane dp;
    private int port;

    @BeforeEach
    void start() {
        dp = new EnvoyDataplane(
                DataplaneOptions.forNode("").with("envoy.xdsPort", "0").with("envoy.xdsSecurity", "plaintext"));
        Echo.Backend first = new Echo.Backend("on-node-a", ip(0), 0);
        port = first.port();
        backends.put("node-a", first);
        backends.put("node-b", new Echo.Backend("on-node-b", ip(1), port));
        backends.put("node-c", new Echo.Backend("on-node-c", ip(2), port));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables.reversed()) c.close();
        backends.values().forEach(Echo.Backend::close);
        dp.close();
    }

    private static String ip(int node) {
        return "127.0." + node + ".2";
    }

    private MeshState state() {
        var b = MeshState.builder();
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < NODES.size(); i++) {
            b.node(new Node(
                    NODES.get(i),
                    List.of("127.0." + i + ".1"),
                    List.of("127.0." + i + ".0/24"),
                    "",
                    i < 2 ? "zone-1" : "zone-2"));
            String name = "echo-" + i;
            b.workload(new Workload(
                    "shop",
                    name,
                    NODES.get(i),
                    List.of(ip(i)),
                    "spiffe://" + TD + "/ns/shop/sa/echo",
                    Map.of("app", "echo"),
                    null));
            endpoints.add(Endpoint.ready(ip(i), "shop/" + name));
        }
        return b.service(TestStates.l7("echo", "10.96.0.10", port, endpoints).withLocality(Locality.PREFER_NODE))
                .build();
    }

    private Map<String, Integer> tally(ManagedChannel ch, int calls) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < calls; i++) seen.merge(Echo.call(ch, Echo.WHO, "x"), 1, Integer::sum);
        return seen;
    }

    @Test
    void callsStayOnTheNodeAndFailOverByZoneWhenBackendsDie() {
        dp.apply(state());
        ManagedChannel ch = GrpcXds.channel("echo.shop", "node-a~test", dp.xdsPort());
        closeables.add(() -> GrpcXds.shutdown(List.of(ch)));
        Eventually.until(
                "node-a's backend answers", () -> Echo.call(ch, Echo.WHO, "x").equals("on-node-a"));
        assertThat(tally(ch, 100)).containsOnlyKeys("on-node-a");

        backends.get("node-a").close();
        Eventually.until("node-b's backend answers", () -> callOrFail(ch).equals("on-node-b"));
        assertThat(tally(ch, 100)).containsOnlyKeys("on-node-b");

        backends.get("node-b").close();
        Eventually.until("node-c's backend answers", () -> callOrFail(ch).equals("on-node-c"));
        assertThat(tally(ch, 100)).containsOnlyKeys("on-node-c");
    }

    private static String callOrFail(ManagedChannel ch) {
        try {
            return Echo.call(ch, Echo.WHO, "x");
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getCode().toString();
        }
    }
}
