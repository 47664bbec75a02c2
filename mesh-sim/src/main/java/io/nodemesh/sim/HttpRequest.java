package io.nodemesh.sim;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request as the node proxy sees it, for {@link SimulatedDataplane#request}. Header names are case-insensitive
 * (HTTP says so), so they are kept lower-cased; values are compared exactly.
 *
 * @param method  the method, e.g. {@code GET}
 * @param path    the request path, starting with {@code /} (a query string after {@code ?} is not part of the path)
 * @param headers header values by lower-cased name
 */
public record HttpRequest(String method, String path, Map<String, String> headers) {
    public HttpRequest {
        if (method == null || method.isBlank()) throw new IllegalArgumentException("an HTTP request needs a method");
        if (path == null || !path.startsWith("/"))
            throw new IllegalArgumentException("HTTP path '" + path + "' must start with '/'");
        Map<String, String> lower = new LinkedHashMap<>();
        if (headers != null) headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        headers = Map.copyOf(lower);
    }

    public static HttpRequest get(String path) {
        return new HttpRequest("GET", path, Map.of());
    }

    public static HttpRequest of(String method, String path) {
        return new HttpRequest(method, path, Map.of());
    }

    /** This request with one more header (replacing a header of the same name). */
    public HttpRequest withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name.toLowerCase(Locale.ROOT), value);
        return new HttpRequest(method, path, more);
    }

    /** The value of header {@code name}, looked up case-insensitively. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The path without a query string, which is what route and policy path matches look at (as in Envoy). */
    public String pathOnly() {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }
}
