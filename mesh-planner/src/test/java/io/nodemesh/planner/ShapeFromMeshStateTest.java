package io.nodemesh.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A MeshState (the API every backend takes) plans as its own shape: nodes, services, replicas, L7 share. */
class ShapeFromMeshStateTest {
    private static Service service(String name, int replicas, boolean l7, int base) {
        List<Endpoint> eps = new java.util.ArrayList<>();
        for (int i = 0; i < replicas; i++) eps.add(Endpoint.ready("10.0.0." + (base + i), "shop/" + name + "-" + i));
        return new Service(
                "shop",
                name,
                List.of("10.96.0." + base),
                List.of(ServicePort.tcp(80, 8080)),
                eps,
                Map.of(),
                null,
                null,
                l7 ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    @Test
    void shapeOfAState() {
        MeshState state = MeshState.builder()
                .node(Node.of("n1", "192.168.0.1", "10.0.1.0/24"))
                .node(Node.of("n2", "192.168.0.2", "10.0.2.0/24"))
                .service(service("web", 3, true, 10))
                .service(service("api", 3, false, 20))
                .service(service("db", 2, false, 30))
                .service(service("cache", 4, false, 40))
                .build();
        ClusterShape shape = ClusterShape.of(state);
        assertThat(shape.nodes()).isEqualTo(2);
        assertThat(shape.services()).isEqualTo(4);
        assertThat(shape.podsPerService()).isEqualTo(3);
        assertThat(shape.l7Fraction()).isEqualTo(0.25);
        assertThat(shape.l7Services()).isEqualTo(1);
        assertThat(shape.problems()).isEmpty();
        assertThat(ClusterShape.of(MeshState.EMPTY).problems()).anyMatch(p -> p.startsWith("nodes must be >= 1"));
    }
}
