/**
 * nodemesh on Kubernetes: node agents fed by the API server ({@link io.nodemesh.kubernetes.KubernetesFeed}),
 * nodemesh's custom resources and the feed's health (the agent that serves it over HTTP is mesh-agent).
 */
@SuppressWarnings("requires-transitive-automatic") // fabric8 8 ships no module descriptors; its types are in our API
module io.nodemesh.kubernetes {
    requires transitive io.nodemesh.api;
    requires transitive kubernetes.client.api;
    requires transitive kubernetes.model.core;
    requires transitive kubernetes.model.common;
    requires kubernetes.model.discovery;
    requires kubernetes.model.coordination; // the Lease of the status-writer election
    requires kubernetes.model.gatewayapi; // HTTPRoute and GRPCRoute, read typed one object at a time
    // Found reflectively and through ServiceLoader at run time: required so the module path resolves them.
    requires kubernetes.client;
    requires io.fabric8.kubernetes.client.jdkhttp;
    requires com.fasterxml.jackson.annotation;
    requires org.slf4j;

    exports io.nodemesh.kubernetes;
    exports io.nodemesh.kubernetes.crd;

    // The client's Jackson reads and writes the custom resources' records reflectively.
    opens io.nodemesh.kubernetes.crd;
}
