package io.nodemesh.api.state;

import java.util.Map;

/**
 * Matches HTTP requests, for routes and L7 policy rules. All given conditions must hold.
 *
 * @param path    path condition
 * @param method  HTTP method, or empty for any
 * @param headers headers that must be present with exactly these values
 */
public record HttpMatch(PathMatch path, String method, Map<String, String> headers) {
    public HttpMatch {
        path = path == null ? PathMatch.ANY : path;
        method = method == null ? "" : method;
        headers = Lists.copy(headers);
    }

    public static HttpMatch path(PathMatch path) {
        return new HttpMatch(path, "", Map.of());
    }
}
