package io.nodemesh.api.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One rule of an HTTP route: requests matching any of {@code matches} are split over {@code backends} by weight, after
 * its {@code filters} edited them; a rule with a {@link RequestRedirect} answers itself and has no backends.
 *
 * @param matches  request matches; empty = every request
 * @param backends weighted destinations
 * @param timeout  request timeout, zero for none
 * @param retries  retry policy
 * @param fault    delays or aborts injected into matching requests; {@link HttpFault#NONE} (the default) for none
 * @param filters  header edits and redirects, at most one of each kind; empty for none
 */
public record HttpRouteRule(
        List<HttpMatch> matches,
        List<WeightedBackend> backends,
        Duration timeout,
        RetryPolicy retries,
        HttpFault fault,
        List<HttpFilter> filters) {
    public HttpRouteRule {
        matches = Lists.copy(matches);
        backends = Lists.copy(backends);
        timeout = timeout == null ? Duration.ZERO : timeout;
        retries = retries == null ? RetryPolicy.NONE : retries;
        fault = fault == null ? HttpFault.NONE : fault;
        filters = Lists.copy(filters);
    }

    /** A rule without filters. */
    public HttpRouteRule(
            List<HttpMatch> matches,
            List<WeightedBackend> backends,
            Duration timeout,
            RetryPolicy retries,
            HttpFault fault) {
        this(matches, backends, timeout, retries, fault, List.of());
    }

    /** A rule without fault injection. */
    public HttpRouteRule(
            List<HttpMatch> matches, List<WeightedBackend> backends, Duration timeout, RetryPolicy retries) {
        this(matches, backends, timeout, retries, HttpFault.NONE, List.of());
    }

    /** This rule with {@code fault} injected. */
    public HttpRouteRule withFault(HttpFault fault) {
        return new HttpRouteRule(matches, backends, timeout, retries, fault, filters);
    }

    /** This rule with {@code filters} instead of its own. */
    public HttpRouteRule withFilters(List<HttpFilter> filters) {
        return new HttpRouteRule(matches, backends, timeout, retries, fault, filters);
    }

    /** The rule's redirect, if it answers with one. */
    public Optional<RequestRedirect> redirect() {
        return filters.stream()
                .filter(RequestRedirect.class::isInstance)
                .map(RequestRedirect.class::cast)
                .findFirst();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects a rule; with no match it takes every request. */
    public static final class Builder {
        private final List<HttpMatch> matches = new ArrayList<>();
        private final List<WeightedBackend> backends = new ArrayList<>();
        private Duration timeout = Duration.ZERO;
        private RetryPolicy retries = RetryPolicy.NONE;
        private HttpFault fault = HttpFault.NONE;
        private final List<HttpFilter> filters = new ArrayList<>();

        private Builder() {}

        public Builder match(HttpMatch match) {
            matches.add(match);
            return this;
        }
        /** Requests whose path starts with {@code prefix}. */
        public Builder pathPrefix(String prefix) {
            return match(HttpMatch.path(PathMatch.prefix(prefix)));
        }
        /** A share {@code weight} of the matching requests to {@code service} ({@code namespace/name}) on the route's port. */
        public Builder backend(String service, int weight) {
            backends.add(new WeightedBackend(service, 0, weight));
            return this;
        }

        public Builder backend(WeightedBackend backend) {
            backends.add(backend);
            return this;
        }

        public Builder timeout(Duration t) {
            timeout = t;
            return this;
        }

        public Builder retries(RetryPolicy r) {
            retries = r;
            return this;
        }

        public Builder fault(HttpFault f) {
            fault = f;
            return this;
        }

        public Builder filter(HttpFilter f) {
            filters.add(f);
            return this;
        }

        public HttpRouteRule build() {
            return new HttpRouteRule(matches, backends, timeout, retries, fault, filters);
        }
    }
}
