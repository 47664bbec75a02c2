package io.nodemesh.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.nodemesh.kubernetes.BenchCluster;
import io.nodemesh.kubernetes.ManagedFields;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Objects served with managedFields and kubectl's last-applied annotation (as every object of a real cluster is) come
 * out of the informer caches without them, on the first list and on watch updates, and with everything else intact —
 * so translation sees exactly what it saw before.
 */
class StrippedCacheTest {
    BenchCluster api;
    KubernetesClient client;
    KubernetesClient agentClient;
    InformerCache cache;

    @BeforeEach
    void cluster() throws Exception {
        api = new BenchCluster();
        client = api.client();
        client.nodes()
                .resource(ManagedFields.kubectlApplied(
                        new NodeBuilder()
                                .withNewMetadata()
                                .withName("node-a")
                                .endMetadata()
                                .withNewSpec()
                                .withPodCIDRs("10.1.1.0/24")
                                .endSpec()
                                .withNewStatus()
                                .addNewAddress()
                                .withType("InternalIP")
                                .withAddress("192.168.10.1")
                                .endAddress()
                                .endStatus()
                                .build(),
                        "kubelet"))
                .create();
        client.pods()
                .inNamespace("shop")
                .resource(ManagedFields.kubectlApplied(
                        new PodBuilder()
                                .withNewMetadata()
                                .withNamespace("shop")
                                .withName("api-1")
                                .withLabels(Map.of("app", "api"))
                                .withAnnotations(Map.of("team", "shop"))
                                .endMetadata()
                                .withNewSpec()
                                .withNodeName("node-a")
                                .withServiceAccountName("api")
                                .addNewContainer()
                                .withName("app")
                                .withImage("app")
                                .endContainer()
                                .endSpec()
                                .withNewStatus()
                                .withPhase("Running")
                                .withPodIP("10.1.1.6")
                                .addNewPodIP()
                                .withIp("10.1.1.6")
                                .endPodIP()
                                .endStatus()
                                .build(),
                        "kubelet"))
                .create();
        client.services()
                .inNamespace("shop")
                .resource(ManagedFields.kubectlApplied(new ServiceBuilder()
                        .withNewMetadata()
                        .withNamespace("shop")
                        .withName("api")
                        .withAnnotations(Map.of("nodemesh.io/load-balancing", "maglev"))
                        .endMetadata()
                        .withNewSpec()
                        .withType("ClusterIP")
                        .withClusterIP("10.96.0.10")
                        .withClusterIPs("10.96.0.10")
                        .addNewPort()
                        .withName("http")
                        .withPort(80)
                        .withNewTargetPort(8080)
                        .withProtocol("TCP")
                        .endPort()
                        .endSpec()
                        .build()))
                .create();
        client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace("shop")
                .resource(slice("10.1.1.6"))
                .create();
        var route = new GenericKubernetesResourceBuilder()
                .withApiVersion("nodemesh.io/v1alpha1")
                .withKind("MeshHttpRoute")
                .withNewMetadata()
                .withNamespace("shop")
                .withName("api-route")
                .endMetadata()
                .build();
        route.setAdditionalProperty(
                "spec",
                Map.of("service", "api", "rules", List.of(Map.of("backends", List.of(Map.of("service", "api"))))));
        client.genericKubernetesResources(CustomResources.ROUTE)
                .inNamespace("shop")
                .resource(ManagedFields.kubectlApplied(route))
                .create();
        agentClient = api.newClient();
    }

    @AfterEach
    void stop() {
        if (cache != null) cache.close();
        agentClient.close();
        api.close();
    }

    static EndpointSlice slice(String... ips) {
        var builder = new EndpointSliceBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("api-abc")
                .addToLabels("kubernetes.io/service-name", "api")
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("http")
                .withPort(8080)
                .withProtocol("TCP")
                .endPort();
        for (String ip : ips) {
            builder.addToEndpoints(new EndpointBuilder()
                    .withAddresses(ip)
                    .withNewConditions()
                    .withReady(true)
                    .endConditions()
                    .withNewTargetRef()
                    .withKind("Pod")
                    .withNamespace("shop")
                    .withName("api-1")
                    .endTargetRef()
                    .build());
        }
        return ManagedFields.controllerManaged(builder.build(), "endpointslice-controller.k8s.io");
    }

    @Test
    void cachedObjectsLoseManagedFieldsAndLastAppliedAndKeepEverythingElse() throws Exception {
        // The API server really serves them with the metadata (otherwise this test would prove nothing).
        var served = client.services().inNamespace("shop").withName("api").get();
        assertThat(served.getMetadata().getManagedFields()).isNotEmpty();
        assertThat(served.getMetadata().getAnnotations()).containsKey(ManagedFields.LAST_APPLIED);
        assertThat(ManagedFields.overheadBytes(served)).isGreaterThan(500);

        cache = new InformerCache(agentClient, (kind, obj) -> {});
        cache.start().get(30, TimeUnit.SECONDS);

        List<HasMetadata> cached = List.of(
                cache.nodes().iterator().next(),
                cache.pod("shop/api-1"),
                cache.service("shop/api"),
                cache.slicesOf("shop/api").getFirst(),
                cache.routes().iterator().next());
        List<HasMetadata> fromServer = List.of(
                client.nodes().withName("node-a").get(),
                client.pods().inNamespace("shop").withName("api-1").get(),
                served,
                client.discovery()
                        .v1()
                        .endpointSlices()
                        .inNamespace("shop")
                        .withName("api-abc")
                        .get(),
                client.genericKubernetesResources(CustomResources.ROUTE)
                        .inNamespace("shop")
                        .withName("api-route")
                        .get());
        for (int i = 0; i < cached.size(); i++) {
            HasMetadata c = cached.get(i);
            assertThat(c.getMetadata().getManagedFields())
                    .as("%s managedFields", c.getKind())
                    .isNullOrEmpty();
            var annotations = c.getMetadata().getAnnotations();
            if (annotations != null) assertThat(annotations).doesNotContainKey(ManagedFields.LAST_APPLIED);
            // Nothing else differs: the server's copy with the two dropped equals the cached one.
            assertThat(c).as("%s", c.getKind()).isEqualTo(StrippingItemStore.strip(fromServer.get(i)));
        }
        // Annotations the mesh reads survive, and so do others.
        assertThat(cache.service("shop/api").getMetadata().getAnnotations())
                .containsExactly(Map.entry("nodemesh.io/load-balancing", "maglev"));
        assertThat(cache.pod("shop/api-1").getMetadata().getAnnotations()).containsExactly(Map.entry("team", "shop"));

        // Translation sees what it saw before.
        assertThat(NodeReader.read(cache.nodes().iterator().next()).addresses()).containsExactly("192.168.10.1");
        assertThat(PodReader.read(cache.pod("shop/api-1"), "cluster.local")
                        .orElseThrow()
                        .identity())
                .isEqualTo("spiffe://cluster.local/ns/shop/sa/api");
        var svc = ServiceReader.read(cache.service("shop/api"), cache.slicesOf("shop/api"), false)
                .orElseThrow();
        assertThat(svc.loadBalancing()).isEqualTo(io.nodemesh.api.state.LoadBalancing.MAGLEV);
        assertThat(svc.endpoints()).extracting(e -> e.ip()).containsExactly("10.1.1.6");

        // Updates through the watch are stripped too.
        client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace("shop")
                .resource(slice("10.1.1.6", "10.1.1.7"))
                .update();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (cache.slicesOf("shop/api").getFirst().getEndpoints().size() != 2) {
            assertThat(System.nanoTime()).as("the update reached the cache").isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(cache.slicesOf("shop/api").getFirst().getMetadata().getManagedFields())
                .isNullOrEmpty();
    }
}
