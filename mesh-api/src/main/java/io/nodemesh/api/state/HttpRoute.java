package io.nodemesh.api.state;

import java.util.List;

/**
 * L7 routing for requests addressed to a service; the service must be marked {@code l7}.
 *
 * @param namespace namespace
 * @param name      name, unique in its namespace
 * @param service   the service ({@code namespace/name}) whose traffic it routes
 * @param rules     rules, first match wins
 */
public record HttpRoute(String namespace, String name, String service, List<HttpRouteRule> rules) {
    public HttpRoute {
        rules = Lists.copy(rules);
    }

    public String key() {
        return namespace + "/" + name;
    }
}
