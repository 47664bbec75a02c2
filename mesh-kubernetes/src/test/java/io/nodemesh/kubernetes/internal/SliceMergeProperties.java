package io.nodemesh.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever EndpointSlices the controller has written (addresses repeated across slices while it moves them, any mix of
 * conditions), the translated service has each address once, in its readiest state, and is a valid part of a state.
 */
class SliceMergeProperties {
    /** One endpoint as the controller may write it. */
    record Ep(int address, Boolean ready, Boolean terminating) {}

    @Property(tries = 200)
    void everyAddressOnceInItsReadiestState(@ForAll("slices") List<List<Ep>> slices) {
        List<EndpointSlice> objects = new ArrayList<>();
        Map<String, EndpointState> expected = new HashMap<>();
        for (int i = 0; i < slices.size(); i++) {
            var b = new EndpointSliceBuilder()
                    .withNewMetadata()
                    .withNamespace("shop")
                    .withName("api-" + i)
                    .endMetadata()
                    .withAddressType("IPv4")
                    .addNewPort()
                    .withName("http")
                    .withPort(8080)
                    .endPort();
            for (Ep e : slices.get(i)) {
                String ip = "10.9.0." + e.address();
                b.addToEndpoints(new EndpointBuilder()
                        .withAddresses(ip)
                        .withNewConditions()
                        .withReady(e.ready())
                        .withTerminating(e.terminating())
                        .endConditions()
                        .build());
                EndpointState state = Boolean.TRUE.equals(e.terminating())
                        ? EndpointState.TERMINATING
                        : Boolean.FALSE.equals(e.ready()) ? EndpointState.NOT_READY : EndpointState.READY;
                expected.merge(ip, state, (x, y) -> x.ordinal() <= y.ordinal() ? x : y);
            }
            objects.add(b.build());
        }
        var svc = new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("api")
                .endMetadata()
                .withNewSpec()
                .withClusterIP("10.96.0.10")
                .addNewPort()
                .withName("http")
                .withPort(80)
                .withNewTargetPort("web")
                .endPort()
                .endSpec()
                .build();
        Service s = ServiceReader.read(svc, objects, false).orElseThrow();

        Set<String> seen = new HashSet<>();
        for (Endpoint e : s.endpoints()) {
            assertThat(seen.add(e.ip())).as("%s listed once", e.ip()).isTrue();
            assertThat(e.state()).as("state of %s", e.ip()).isEqualTo(expected.get(e.ip()));
        }
        assertThat(seen).isEqualTo(expected.keySet());
        assertThat(s.ports().getFirst().targetPort())
                .isEqualTo(8080); // the named target port, resolved from the slices
        MeshState state = MeshState.builder()
                .node(Node.of("n", "192.168.0.1", "10.9.0.0/24"))
                .service(s)
                .build();
        assertThat(state.validate()).isEmpty();
    }

    @Provide
    Arbitrary<List<List<Ep>>> slices() {
        Arbitrary<Boolean> condition =
                Arbitraries.of(Boolean.TRUE, Boolean.FALSE).injectNull(0.3);
        Arbitrary<Ep> ep = Combinators.combine(Arbitraries.integers().between(1, 12), condition, condition)
                .as(Ep::new);
        return ep.list().ofMaxSize(8).list().ofMinSize(1).ofMaxSize(4);
    }
}
