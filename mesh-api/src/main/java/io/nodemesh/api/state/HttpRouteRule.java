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
 */
public record HttpRouteRule(List<HttpMatch> matches, List<WeightedBackend> backends, Duration timeout, RetryPolicy retries) {
    public HttpRouteRule {
        matches = Lists.copy(matches);
        backends = Lists.copy(backends);
        timeout = timeout == null ? Duration.ZERO : timeout;
        retries = retries == null ? RetryPolicy.NONE : retries;
    }
}
