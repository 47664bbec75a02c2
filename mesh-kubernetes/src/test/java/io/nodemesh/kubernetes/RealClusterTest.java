package io.nodemesh.kubernetes;

import static io.nodemesh.kubernetes.Cluster.Ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The feed against a real cluster, opt-in: runs only when {@code KUBECONFIG} is set (and nodemesh's CRDs are installed:
 * {@code kubectl apply -f deploy/crds.yaml}), otherwise skips and says why. Everything it creates lives in a namespace
 * of its own, {@code nodemesh-test-<random>}, deleted at the end even on failure.
 * <pre>KUBECONFIG=~/.kube/config mvn -pl mesh-kubernetes test -Dtest=RealClusterTest</pre>
 */
@Tag("real-cluster")
class RealClusterTest {
    @Test
    void followsARealApiServer() throws Exception {
        String kubeconfig = System.getenv("KUBECONFIG");
        if (kubeconfig == null || kubeconfig.isEmpty()) {
            String reason = "real-cluster test skipped: KUBECONFIG is not set (set it to run against a real cluster)";
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            boolean crds = client.apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .withName("meshpolicies.nodemesh.io")
                            .get()
                    != null;
            if (!crds) {
                String reason =
                        "real-cluster test skipped: nodemesh's CRDs are not installed (kubectl apply -f deploy/crds.yaml)";
                System.out.println(reason);
                Assumptions.abort(reason);
            }
            String ns = "nodemesh-test-" + UUID.randomUUID().toString().substring(0, 8);
            var dataplane = new RecordingDataplane();
            String node =
                    client.nodes().list().getItems().getFirst().getMetadata().getName();
            client.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .create();
            try (var feed = KubernetesFeed.start(
                    client, dataplane, FeedOptions.forNode(node).withWriteStatus(true))) {
                assertThat(feed.awaitReady(Eventually.TIMEOUT))
                        .as("%s", feed.health())
                        .isTrue();
                assertThat(dataplane.state().nodes())
                        .extracting(n -> n.name())
                        .containsExactlyInAnyOrderElementsOf(client.nodes().list().getItems().stream()
                                .map(n -> n.getMetadata().getName())
                                .toList());

                var svc = client.services()
                        .inNamespace(ns)
                        .resource(new ServiceBuilder()
                                .withNewMetadata()
                                .withName("echo")
                                .endMetadata()
                                .withNewSpec()
                                .addNewPort()
                                .withName("http")
                                .withPort(80)
                                .withNewTargetPort(8080)
                                .endPort()
                                .endSpec()
                                .build())
                        .create();
                String vip = svc.getSpec().getClusterIP();
                Cluster cluster = new Cluster(client);
                // Addresses from TEST-NET-1: API objects only, nothing is ever sent to them.
                cluster.slice(
                        ns,
                        "echo",
                        "echo-manual",
                        8080,
                        List.of(Ep.ready("192.0.2.10", "none-1"), Ep.ready("192.0.2.11", "none-2")));
                Eventually.until(
                        "the service with its endpoints",
                        () -> dataplane.state().services().stream()
                                .anyMatch(s -> s.key().equals(ns + "/echo")
                                        && s.vips().contains(vip)
                                        && s.endpoints().size() == 2));

                cluster.policy(ns, "bad", Map.of("action", "deny", "services", List.of("nope")));
                Eventually.until("the invalid policy's condition", () -> {
                    var c = cluster.accepted(Cluster.POLICY, ns, "bad");
                    return c != null && "False".equals(c.get("status"));
                });
            } finally {
                client.namespaces().withName(ns).delete();
            }
        }
    }
}
