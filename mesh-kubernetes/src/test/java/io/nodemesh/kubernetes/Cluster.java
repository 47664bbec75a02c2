package io.nodemesh.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Creates cluster objects through the API, the way controllers and kubelets would. */
final class Cluster {
    static final ResourceDefinitionContext CONFIG = ctx("MeshConfig", "meshconfigs", false);
    static final ResourceDefinitionContext POLICY = ctx("MeshPolicy", "meshpolicies", true);
    static final ResourceDefinitionContext ROUTE = ctx("MeshHttpRoute", "meshhttproutes", true);

    private final KubernetesClient client;

    Cluster(KubernetesClient client) {
        this.client = client;
    }

    void node(String name, String ip, String podCidr) {
        client.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withNewSpec()
                        .withPodCIDR(podCidr)
                        .withPodCIDRs(podCidr)
                        .endSpec()
                        .withNewStatus()
                        .addNewAddress()
                        .withType("InternalIP")
                        .withAddress(ip)
                        .endAddress()
                        .addNewAddress()
                        .withType("Hostname")
                        .withAddress(name)
                        .endAddress()
                        .endStatus()
                        .build())
                .create();
    }

    void pod(String ns, String name, String node, String ip, String serviceAccount, Map<String, String> labels) {
        client.pods()
                .inNamespace(ns)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withNamespace(ns)
                        .withName(name)
                        .withLabels(labels)
                        .endMetadata()
                        .withNewSpec()
                        .withNodeName(node)
                        .withServiceAccountName(serviceAccount)
                        .addNewContainer()
                        .withName("app")
                        .withImage("app")
                        .endContainer()
                        .endSpec()
                        .withNewStatus()
                        .withPhase("Running")
                        .withPodIP(ip)
                        .addNewPodIP()
                        .withIp(ip)
                        .endPodIP()
                        .endStatus()
                        .build())
                .create();
    }

    void service(String ns, String name, String clusterIp, int port, int targetPort) {
        client.services()
                .inNamespace(ns)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withNamespace(ns)
                        .withName(name)
                        .endMetadata()
                        .withNewSpec()
                        .withType("ClusterIP")
                        .withClusterIP(clusterIp)
                        .withClusterIPs(clusterIp)
                        .addNewPort()
                        .withName("http")
                        .withPort(port)
                        .withNewTargetPort(targetPort)
                        .withProtocol("TCP")
                        .endPort()
                        .endSpec()
                        .build())
                .create();
    }

    /** One endpoint of a slice: address, the pod behind it, and its conditions. */
    record Ep(String ip, String pod, boolean ready, boolean terminating) {
        static Ep ready(String ip, String pod) {
            return new Ep(ip, pod, true, false);
        }

        static Ep terminating(String ip, String pod) {
            return new Ep(ip, pod, false, true);
        }
    }

    EndpointSlice slice(String ns, String service, String sliceName, int port, List<Ep> endpoints) {
        EndpointSlice slice = sliceObject(ns, service, sliceName, port, endpoints);
        return client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace(ns)
                .resource(slice)
                .create();
    }

    EndpointSlice replaceSlice(String ns, String service, String sliceName, int port, List<Ep> endpoints) {
        EndpointSlice slice = sliceObject(ns, service, sliceName, port, endpoints);
        return client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace(ns)
                .resource(slice)
                .update();
    }

    private static EndpointSlice sliceObject(
            String ns, String service, String sliceName, int port, List<Ep> endpoints) {
        List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> eps = new ArrayList<>();
        for (Ep e : endpoints) {
            eps.add(new EndpointBuilder()
                    .withAddresses(e.ip())
                    .withNewConditions()
                    .withReady(e.ready())
                    .withServing(e.ready() || e.terminating())
                    .withTerminating(e.terminating())
                    .endConditions()
                    .withNewTargetRef()
                    .withKind("Pod")
                    .withNamespace(ns)
                    .withName(e.pod())
                    .endTargetRef()
                    .build());
        }
        return new EndpointSliceBuilder()
                .withNewMetadata()
                .withNamespace(ns)
                .withName(sliceName)
                .addToLabels("kubernetes.io/service-name", service)
                .endMetadata()
                .withAddressType("IPv4")
                .withEndpoints(eps)
                .addNewPort()
                .withName("http")
                .withPort(port)
                .withProtocol("TCP")
                .endPort()
                .build();
    }

    GenericKubernetesResource policy(String ns, String name, Map<String, Object> spec) {
        return create(POLICY, ns, name, spec);
    }

    GenericKubernetesResource route(String ns, String name, Map<String, Object> spec) {
        return create(ROUTE, ns, name, spec);
    }

    GenericKubernetesResource config(String name, Map<String, Object> spec) {
        return create(CONFIG, null, name, spec);
    }

    GenericKubernetesResource replace(ResourceDefinitionContext ctx, String ns, String name, Map<String, Object> spec) {
        var op = ctx.isNamespaceScoped()
                ? client.genericKubernetesResources(ctx).inNamespace(ns)
                : client.genericKubernetesResources(ctx);
        for (int attempt = 0; ; attempt++) {
            try {
                return op.withName(name).edit(r -> {
                    r.setAdditionalProperty("spec", spec);
                    return r;
                });
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                // The agents write status concurrently: a conflict means read again and retry, as kubectl does.
                if (e.getCode() != 409 || attempt >= 10) throw e;
            }
        }
    }

    GenericKubernetesResource get(ResourceDefinitionContext ctx, String ns, String name) {
        var op = ctx.isNamespaceScoped()
                ? client.genericKubernetesResources(ctx).inNamespace(ns)
                : client.genericKubernetesResources(ctx);
        return op.withName(name).get();
    }

    /** The Accepted condition of a resource as a map, or null while it has none. */
    @SuppressWarnings("unchecked")
    Map<String, Object> accepted(ResourceDefinitionContext ctx, String ns, String name) {
        var r = get(ctx, ns, name);
        if (r == null || !(r.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) return null;
        if (!(status.get("conditions") instanceof List<?> conditions)) return null;
        return conditions.stream()
                .map(c -> (Map<String, Object>) c)
                .filter(c -> "Accepted".equals(c.get("type")))
                .findFirst()
                .orElse(null);
    }

    private GenericKubernetesResource create(
            ResourceDefinitionContext ctx, String ns, String name, Map<String, Object> spec) {
        var r = new GenericKubernetesResourceBuilder()
                .withApiVersion("nodemesh.io/v1alpha1")
                .withKind(ctx.getKind())
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .build();
        r.setAdditionalProperty("spec", spec);
        var op = ctx.isNamespaceScoped()
                ? client.genericKubernetesResources(ctx).inNamespace(ns)
                : client.genericKubernetesResources(ctx);
        return op.resource(r).create();
    }

    private static ResourceDefinitionContext ctx(String kind, String plural, boolean namespaced) {
        return new ResourceDefinitionContext.Builder()
                .withGroup("nodemesh.io")
                .withVersion("v1alpha1")
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(namespaced)
                .build();
    }
}
