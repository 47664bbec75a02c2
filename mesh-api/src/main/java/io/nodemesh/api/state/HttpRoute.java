package io.nodemesh.api.state;

import java.util.ArrayList;
import java.util.List;

/**
 * L7 routing for requests addressed to a service; the service must be marked {@code l7}.
 *
 * @param namespace namespace
 * @param name      name, unique in its namespace
 * @param service   the service ({@code namespace/name}) whose traffic it routes
 * @param rules     rules, first match wins
 */
public record HttpRoute(String namespace, String name, String service, List<HttpRouteRule> rules)
        implements NamespacedObject {
    public HttpRoute {
        rules = Lists.copy(rules);
    }

    /** A route for the traffic of {@code service} ({@code namespace/name}); add its rules to the builder. */
    public static Builder of(String namespace, String name, String service) {
        return new Builder(namespace, name, service);
    }

    /** Collects a route's rules, first match wins. */
    public static final class Builder {
        private final String namespace;
        private final String name;
        private final String service;
        private final List<HttpRouteRule> rules = new ArrayList<>();

        private Builder(String namespace, String name, String service) {
            this.namespace = namespace;
            this.name = name;
            this.service = service;
        }

        public Builder rule(HttpRouteRule rule) {
            rules.add(rule);
            return this;
        }

        public HttpRoute build() {
            return new HttpRoute(namespace, name, service, rules);
        }
    }
}
