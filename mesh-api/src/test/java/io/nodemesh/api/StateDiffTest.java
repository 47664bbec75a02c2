package io.nodemesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Workload;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateDiffTest {
    private static Workload pod(String name, String ip) {
        return new Workload(
                "shop",
                name,
                "n1",
                List.of(ip),
                "spiffe://cluster.local/ns/shop/sa/" + name,
                Map.of("app", name),
                null);
    }

    private static Service service(String name, int port) {
        return new Service(
                "shop",
                name,
                List.of("10.96.0.1"),
                List.of(ServicePort.tcp(port, 8080)),
                List.of(),
                Map.of("app", name),
                null,
                null,
                ServiceLayer.L4);
    }

    private static Policy policy(String name, PolicyAction action) {
        return new Policy("shop", name, action, List.of(), List.of(), List.of("shop/web"), List.of(), List.of());
    }

    private final MeshState before = MeshState.builder()
            .node(Node.of("n1", "192.168.0.1", "10.1.0.0/24"))
            .node(Node.of("n2", "192.168.0.2", "10.2.0.0/24"))
            .workload(pod("web", "10.1.0.2"))
            .workload(pod("old", "10.1.0.3"))
            .service(service("web", 80))
            .policy(policy("p", PolicyAction.ALLOW))
            .route(new HttpRoute("shop", "r", "shop/web", List.of()))
            .build();

    @Test
    void equalStatesHaveNoChanges() {
        assertThat(StateDiff.between(before, before)).isEmpty();
        assertThat(StateDiff.between(before, before.toBuilder().build())).isEmpty();
        assertThat(StateDiff.between(MeshState.EMPTY, MeshState.EMPTY)).isEmpty();
    }

    @Test
    void reportsEachObjectAddedUpdatedOrRemovedByKindAndKeyInKindOrder() {
        MeshState after = MeshState.builder()
                .node(Node.of("n1", "192.168.0.1", "10.1.0.0/24"))
                .node(Node.of("n2", "192.168.0.20", "10.2.0.0/24"))
                .workload(pod("web", "10.1.0.2"))
                .workload(pod("new", "10.1.0.4"))
                .service(service("web", 81))
                .policy(policy("p", PolicyAction.DENY))
                .encryption(new EncryptionSpec(EncryptionSpec.Mode.WIREGUARD, EncryptionSpec.Enforcement.STRICT, null))
                .build();
        assertThat(StateDiff.between(before, after))
                .extracting(Object::toString)
                .containsExactly(
                        "updated node n2",
                        "added workload shop/new",
                        "removed workload shop/old",
                        "updated service shop/web",
                        "updated policy shop/p",
                        "removed route shop/r",
                        "updated encryption encryption");
    }

    @Test
    void fromEmptyEverythingIsAddedAndBackEverythingIsRemoved() {
        var added = StateDiff.between(MeshState.EMPTY, before);
        assertThat(added).hasSize(7).allSatisfy(c -> assertThat(c.op()).isEqualTo(ApplyResult.Change.Op.ADDED));
        assertThat(added)
                .extracting(ApplyResult.Change::kind)
                .containsExactly(
                        ChangeKind.NODE,
                        ChangeKind.NODE,
                        ChangeKind.WORKLOAD,
                        ChangeKind.WORKLOAD,
                        ChangeKind.SERVICE,
                        ChangeKind.POLICY,
                        ChangeKind.ROUTE);
        assertThat(StateDiff.between(before, MeshState.EMPTY))
                .hasSize(7)
                .allSatisfy(c -> assertThat(c.op()).isEqualTo(ApplyResult.Change.Op.REMOVED));
    }

    @Test
    void reorderingObjectsIsNotAChange() {
        MeshState reordered = MeshState.builder()
                .node(before.nodes().get(1))
                .node(before.nodes().get(0))
                .workload(before.workloads().get(1))
                .workload(before.workloads().get(0))
                .service(before.services().getFirst())
                .policy(before.policies().getFirst())
                .route(before.routes().getFirst())
                .build();
        assertThat(StateDiff.between(before, reordered)).isEmpty();
    }
}
