package io.nodemesh.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure translation pieces, object by object, and the faults they guard against. */
class TranslationTest {
    @Test
    void goDurations() {
        assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(GoDuration.parse("5")).isNull();
        assertThat(GoDuration.parse("5 s")).isNull();
        assertThat(GoDuration.parse("s")).isNull();
    }

    @Test
    void identityReferences() {
        assertThat(Refs.identity("shop/web", "example.org")).isEqualTo("spiffe://example.org/ns/shop/sa/web");
        assertThat(Refs.identity("host", "x")).isEqualTo("host");
        assertThat(Refs.identity("spiffe://a/b", "x")).isEqualTo("spiffe://a/b");
        assertThat(Refs.identity("a/b/c", "x")).isEqualTo("a/b/c"); // left for validation to name
        assertThat(Refs.service("api", "shop")).isEqualTo("shop/api");
        assertThat(Refs.service("other/api", "shop")).isEqualTo("other/api");
    }

    @Test
    void headlessExternalNameAndHostNetworkAreNotMeshed() {
        var headless = new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("a")
                .withName("h")
                .endMetadata()
                .withNewSpec()
                .withClusterIP("None")
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build();
        assertThat(ServiceReader.read(headless, List.of(), false)).isEmpty();
        var external = new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("a")
                .withName("e")
                .endMetadata()
                .withNewSpec()
                .withType("ExternalName")
                .withExternalName("example.org")
                .endSpec()
                .build();
        assertThat(ServiceReader.read(external, List.of(), false)).isEmpty();
        var hostPod = new PodBuilder()
                .withNewMetadata()
                .withNamespace("a")
                .withName("p")
                .endMetadata()
                .withNewSpec()
                .withHostNetwork(true)
                .withNodeName("n")
                .endSpec()
                .withNewStatus()
                .withPodIP("192.168.0.1")
                .endStatus()
                .build();
        assertThat(PodReader.read(hostPod, "cluster.local")).isEmpty();
        var finished = new PodBuilder()
                .withNewMetadata()
                .withNamespace("a")
                .withName("p")
                .endMetadata()
                .withNewSpec()
                .withNodeName("n")
                .endSpec()
                .withNewStatus()
                .withPhase("Succeeded")
                .withPodIP("10.0.0.1")
                .endStatus()
                .build();
        assertThat(PodReader.read(finished, "cluster.local")).isEmpty();
    }

    @Test
    void serviceAnnotationsAffinityNamedTargetPortsAndEndpointStates() {
        var svc = new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("api")
                .addToAnnotations("nodemesh.io/load-balancing", "maglev")
                .endMetadata()
                .withNewSpec()
                .withClusterIP("10.96.0.10")
                .withSessionAffinity("ClientIP")
                .addNewPort()
                .withName("http")
                .withPort(80)
                .withNewTargetPort("web")
                .endPort()
                .addNewPort()
                .withName("dns")
                .withPort(53)
                .withProtocol("UDP")
                .withNewTargetPort(5353)
                .endPort()
                .addNewPort()
                .withName("sctp")
                .withPort(9)
                .withProtocol("SCTP")
                .endPort()
                .endSpec()
                .build();
        var slice = new EndpointSliceBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("api-1")
                .endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint()
                .withAddresses("10.1.0.1")
                .withNewConditions()
                .withReady(true)
                .endConditions()
                .endEndpoint()
                .addNewEndpoint()
                .withAddresses("10.1.0.2")
                .withNewConditions()
                .withReady(false)
                .endConditions()
                .endEndpoint()
                .addNewEndpoint()
                .withAddresses("10.1.0.3")
                .withNewConditions()
                .withReady(false)
                .withTerminating(true)
                .endConditions()
                .endEndpoint()
                .addNewEndpoint()
                .withAddresses("10.1.0.4")
                .endEndpoint()
                .addNewPort()
                .withName("http")
                .withPort(8080)
                .withProtocol("TCP")
                .endPort()
                .build();
        Service s = ServiceReader.read(svc, List.of(slice), false).orElseThrow();
        assertThat(s.ports())
                .containsExactly(
                        new ServicePort("http", 80, 8080, io.nodemesh.api.state.Protocol.TCP),
                        new ServicePort("dns", 53, 5353, io.nodemesh.api.state.Protocol.UDP));
        assertThat(s.loadBalancing()).isEqualTo(LoadBalancing.MAGLEV);
        assertThat(s.affinity().timeout()).isEqualTo(Duration.ofSeconds(10800));
        assertThat(s.endpoints())
                .extracting(e -> e.state())
                .containsExactly(
                        EndpointState.READY, EndpointState.NOT_READY, EndpointState.TERMINATING, EndpointState.READY);
        assertThat(s.l7()).isFalse();
        assertThat(ServiceReader.read(svc, List.of(slice), true).orElseThrow().l7())
                .isTrue();
    }

    @Test
    void nodesTakeInternalAddressesFirstAndTheirPublishedKey() {
        var n = new NodeBuilder()
                .withNewMetadata()
                .withName("n1")
                .addToAnnotations("nodemesh.io/wireguard-public-key", "k")
                .endMetadata()
                .withNewSpec()
                .withPodCIDRs("10.1.0.0/24", "fd00::/64")
                .endSpec()
                .withNewStatus()
                .addNewAddress()
                .withType("ExternalIP")
                .withAddress("203.0.113.1")
                .endAddress()
                .addNewAddress()
                .withType("InternalIP")
                .withAddress("192.168.0.1")
                .endAddress()
                .endStatus()
                .build();
        assertThat(NodeReader.read(n))
                .isEqualTo(new Node(
                        "n1", List.of("192.168.0.1", "203.0.113.1"), List.of("10.1.0.0/24", "fd00::/64"), "k"));
    }

    @Test
    void theGuardHoldsAnEmptyListOnlyAfterAnError() {
        MeshState applied = MeshState.builder()
                .node(Node.of("n", "192.168.0.1", "10.0.0.0/24"))
                .build();
        assertThat(DeletionGuard.check(applied, MeshState.EMPTY, true)).contains("node list came back empty");
        assertThat(DeletionGuard.check(applied, MeshState.EMPTY, false)).isNull();
        assertThat(DeletionGuard.check(MeshState.EMPTY, MeshState.EMPTY, true)).isNull();
    }

    @Test
    void quarantineFallsBackToTheLastGoodPolicyAndLeavesOutBadClusterObjects() {
        Node node = Node.of("n", "192.168.0.1", "10.0.0.0/24");
        Workload a = new Workload(
                "shop", "a", "n", List.of("10.0.0.1"), "spiffe://cluster.local/ns/shop/sa/a", Map.of(), null);
        Workload dup = new Workload(
                "shop", "b", "n", List.of("10.0.0.1"), "spiffe://cluster.local/ns/shop/sa/b", Map.of(), null);
        Policy good = new Policy("shop", "p", PolicyAction.DENY, List.of(), List.of(), List.of(), List.of(), List.of());
        Policy bad = new Policy(
                "shop",
                "p",
                PolicyAction.DENY,
                List.of("spiffe://cluster.local/ns/shop/sa/ghost"),
                List.of(),
                List.of(),
                List.of(),
                List.of());
        MeshState state = new MeshState(List.of(node), List.of(a, dup), List.of(), List.of(bad), List.of(), null);
        List<Violation> violations = state.validate();
        assertThat(violations).isNotEmpty();

        Verdicts verdicts = new Verdicts();
        verdicts.seen("policy:shop/p", null);
        List<String> leftOut = new ArrayList<>();
        MeshState next =
                Quarantine.without(state, violations, Map.of("shop/p", good), new HashMap<>(), verdicts, leftOut);
        assertThat(next.validate()).isEmpty();
        assertThat(next.policies()).containsExactly(good);
        assertThat(next.workloads()).containsExactly(a);
        assertThat(leftOut).singleElement().asString().contains("pod shop/b");
        var verdict = verdicts.all().getFirst();
        assertThat(verdict.previousServing()).isTrue();
        assertThat(verdict.violations()).extracting(Violation::path).containsExactly("spec.sources[0]");
        assertThat(StatusWriter.message(verdict))
                .contains("unknown identity")
                .contains("previous version keeps serving");

        // A violation that names no object cannot be quarantined: the caller must refuse the whole state.
        assertThat(Quarantine.without(
                        state, List.of(new Violation("encryption", "x")), Map.of(), Map.of(), new Verdicts(), leftOut))
                .isNull();
    }
}
