package io.nodemesh.kubernetes.crd;

import java.util.List;

/**
 * Spec of a {@link MeshHttpRoute}.
 *
 * @param service the routed service, {@code name} (this namespace) or {@code namespace/name}
 * @param rules   rules, first match wins
 */
public record MeshHttpRouteSpec(String service, List<Rule> rules) {
    /**
     * @param matches  request matches; empty = every request
     * @param backends weighted destination services
     * @param timeout  request timeout as a duration such as {@code 2s} or {@code 500ms}; absent = none
     * @param retries  retries; absent = none
     */
    public record Rule(List<HttpMatchSpec> matches, List<Backend> backends, String timeout, Retries retries) {}

    /**
     * @param service {@code name} or {@code namespace/name}
     * @param port    service port; absent = the route's own
     * @param weight  relative weight; absent = 1
     */
    public record Backend(String service, Integer port, Integer weight) {}

    /**
     * @param attempts      retries after the first try
     * @param perTryTimeout timeout of each try, a duration such as {@code 1s}
     * @param retryOn       Envoy retry conditions such as {@code 5xx}
     */
    public record Retries(Integer attempts, String perTryTimeout, List<String> retryOn) {}
}
