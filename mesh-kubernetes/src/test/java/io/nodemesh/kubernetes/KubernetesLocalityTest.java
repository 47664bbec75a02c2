package io.nodemesh.kubernetes;

import static io.nodemesh.kubernetes.Cluster.Ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.Service;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Locality from Kubernetes' own fields: a node's {@code topology.kubernetes.io/zone} label, a Service's
 * {@code trafficDistribution} and {@code internalTrafficPolicy}, and nodemesh's annotation over both.
 */
class KubernetesLocalityTest {
    private MockApiServer api;
    private Cluster cluster;
    private RecordingDataplane dataplane;
    private KubernetesFeed feed;

    @BeforeEach
    void cluster() throws Exception {
        api = new MockApiServer();
        cluster = new Cluster(api.client());
        cluster.node("node-a", "192.168.10.1", "10.1.1.0/24");
        cluster.pod("shop", "api-1", "node-a", "10.1.1.6", "api", Map.of("app", "api"));
        cluster.service("shop", "api", "10.96.0.10", 80, 8080);
        cluster.slice("shop", "api", "api-abc", 8080, List.of(Ep.ready("10.1.1.6", "api-1")));
        dataplane = new RecordingDataplane();
        feed = KubernetesFeed.start(api.newClient(), dataplane, FeedOptions.forNode("node-a"));
        assertThat(feed.awaitReady(Eventually.TIMEOUT))
                .as("ready: %s", feed.health())
                .isTrue();
    }

    @AfterEach
    void stop() {
        if (feed != null) feed.close();
        api.close();
    }

    private Optional<Locality> locality() {
        return dataplane.state().services().stream()
                .filter(s -> s.key().equals("shop/api"))
                .findFirst()
                .map(Service::locality);
    }

    private void editSpec(java.util.function.Consumer<io.fabric8.kubernetes.api.model.ServiceSpec> edit) {
        api.client().services().inNamespace("shop").withName("api").edit(s -> {
            edit.accept(s.getSpec());
            return s;
        });
    }

    private void annotate(String value) {
        api.client().services().inNamespace("shop").withName("api").edit(s -> {
            s.getMetadata().setAnnotations(Map.of("nodemesh.io/locality", value));
            return s;
        });
    }

    private void awaitLocality(Locality expected) throws InterruptedException {
        Eventually.until(
                "locality " + expected,
                () -> locality().equals(Optional.of(expected)),
                () -> locality().toString());
    }

    @Test
    void theNodesZoneLabelBecomesItsZone() throws Exception {
        assertThat(dataplane.state().nodes().getFirst().zone()).isEmpty();
        api.client().nodes().withName("node-a").edit(n -> {
            n.getMetadata().setLabels(Map.of("topology.kubernetes.io/zone", "eu-west-1a"));
            return n;
        });
        Eventually.until(
                "zone read", () -> dataplane.state().nodes().getFirst().zone().equals("eu-west-1a"));
    }

    @Test
    void trafficDistributionInternalTrafficPolicyAndTheAnnotation() throws Exception {
        assertThat(locality()).contains(Locality.ANY);
        editSpec(spec -> spec.setTrafficDistribution("PreferClose"));
        awaitLocality(Locality.PREFER_NODE);
        editSpec(spec -> spec.setTrafficDistribution("PreferSameZone"));
        awaitLocality(Locality.PREFER_ZONE);
        editSpec(spec -> spec.setTrafficDistribution("SomethingNew"));
        awaitLocality(Locality.ANY);
        editSpec(spec -> spec.setInternalTrafficPolicy("Local"));
        awaitLocality(Locality.NODE_ONLY);
        annotate("prefer-zone");
        awaitLocality(Locality.PREFER_ZONE);
    }
}
