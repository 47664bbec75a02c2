package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * Where Gateway API's routes live, and the name nodemesh gives itself in their status. They are watched untyped, as
 * nodemesh's own resources are, and read into fabric8's typed model one object at a time: one object that does not
 * fit the model is refused on its own instead of breaking the list of all the others.
 */
final class GatewayApi {
    static final String GROUP = "gateway.networking.k8s.io";
    static final String VERSION = "v1";
    /** The controller named in {@code status.parents[].controllerName} of the routes nodemesh serves. */
    static final String CONTROLLER_NAME = "nodemesh.io/mesh";

    static final ResourceDefinitionContext HTTP_ROUTE = context("HTTPRoute", "httproutes");
    static final ResourceDefinitionContext GRPC_ROUTE = context("GRPCRoute", "grpcroutes");

    private GatewayApi() {}

    static boolean isGatewayRoute(GenericKubernetesResource r) {
        return "HTTPRoute".equals(r.getKind()) || "GRPCRoute".equals(r.getKind());
    }

    /** A parent reference to a Service (GAMMA, mesh mode): kind {@code Service} in the core group. */
    static boolean isService(String group, String kind) {
        return "Service".equals(kind) && (group == null || group.isEmpty() || group.equals("core"));
    }

    private static ResourceDefinitionContext context(String kind, String plural) {
        return new ResourceDefinitionContext.Builder()
                .withGroup(GROUP)
                .withVersion(VERSION)
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(true)
                .build();
    }
}
