package io.nodemesh.api.state;

import java.time.Duration;
import java.util.List;

/**
 * One rule of an HTTP route: requests matching any of {@code matches} are split over {@code backends} by weight.
 *
 * @param matches  request matches; empty = every request
 * @param backends weighted destinations
 * @param timeout  request timeout, zero for none
 * @param retries  retry policy
 * @param fault    delays or aborts injected into matching requests; {@link HttpFault#NONE} (the default) for none
 */
public record HttpRouteRule(List<HttpMatch> matches, List<WeightedBackend> backends, Duration timeout, RetryPolicy retries,
                            HttpFault fault) {
    public HttpRouteRule {
        matches = Lists.copy(matches);
        backends = Lists.copy(backends);
        timeout = timeout == null ? Duration.ZERO : timeout;
        retries = retries == null ? RetryPolicy.NONE : retries;
        fault = fault == null ? HttpFault.NONE : fault;
    }

    /** A rule without fault injection. */
    public HttpRouteRule(List<HttpMatch> matches, List<WeightedBackend> backends, Duration timeout, RetryPolicy retries) {
        this(matches, backends, timeout, retries, HttpFault.NONE);
    }

    /** This rule with {@code fault} injected. */
    public HttpRouteRule withFault(HttpFault fault) {
        return new HttpRouteRule(matches, backends, timeout, retries, fault);
    }
}
