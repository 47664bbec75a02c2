package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.nodemesh.kubernetes.crd.MeshConfig;

/**
 * Where nodemesh's resources live in the API. They are watched untyped: one malformed object (a string where a number
 * belongs) must get its own status condition, not break the list of all the others as typed deserialization would.
 */
final class CustomResources {
    static final ResourceDefinitionContext CONFIG = context("MeshConfig", "meshconfigs", false);
    static final ResourceDefinitionContext POLICY = context("MeshPolicy", "meshpolicies", true);
    static final ResourceDefinitionContext ROUTE = context("MeshHttpRoute", "meshhttproutes", true);

    private CustomResources() {}

    static ResourceDefinitionContext of(GenericKubernetesResource r) {
        return switch (r.getKind()) {
            case "MeshConfig" -> CONFIG;
            case "MeshPolicy" -> POLICY;
            case "HTTPRoute" -> GatewayApi.HTTP_ROUTE;
            case "GRPCRoute" -> GatewayApi.GRPC_ROUTE;
            default -> ROUTE;
        };
    }

    private static ResourceDefinitionContext context(String kind, String plural, boolean namespaced) {
        return new ResourceDefinitionContext.Builder()
                .withGroup(MeshConfig.GROUP)
                .withVersion(MeshConfig.VERSION)
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(namespaced)
                .build();
    }
}
