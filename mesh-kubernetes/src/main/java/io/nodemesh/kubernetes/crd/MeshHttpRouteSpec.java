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
     * @param fault    delays or aborts injected into matching requests (for testing how callers cope); absent = none
     */
    public record Rule(
            List<HttpMatchSpec> matches, List<Backend> backends, String timeout, Retries retries, Fault fault) {}

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

    /**
     * Fault injection, as Envoy's HTTP fault filter does it: the delay and the abort act independently.
     *
     * @param delay holds a share of requests before forwarding them; absent = none
     * @param abort answers a share of requests itself, without reaching a backend; absent = none
     */
    public record Fault(Delay delay, Abort abort) {}

    /**
     * @param duration how long, a duration such as {@code 2s} or {@code 500ms}
     * @param percent  share of requests delayed, 0..100; absent = 100
     */
    public record Delay(String duration, Integer percent) {}

    /**
     * @param status  the HTTP status answered, 200..599
     * @param percent share of requests aborted, 0..100; absent = 100
     */
    public record Abort(Integer status, Integer percent) {}
}
