package io.nodemesh.api.state;

import java.time.Duration;
import java.util.List;

/**
 * Retries of a route.
 *
 * @param attempts      retries after the first try (0 = none)
 * @param perTryTimeout timeout of each try, zero for the route timeout
 * @param retryOn       Envoy retry conditions, e.g. {@code 5xx}, {@code connect-failure}, {@code unavailable}
 */
public record RetryPolicy(int attempts, Duration perTryTimeout, List<String> retryOn) {
    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO, List.of());

    public RetryPolicy {
        perTryTimeout = perTryTimeout == null ? Duration.ZERO : perTryTimeout;
        retryOn = Lists.copy(retryOn);
    }
}
