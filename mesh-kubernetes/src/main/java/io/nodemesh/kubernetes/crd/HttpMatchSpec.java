package io.nodemesh.kubernetes.crd;

import java.util.Map;

/**
 * An HTTP request match, in the Gateway API's spelling.
 *
 * @param path    path condition; absent = any path
 * @param method  HTTP method; absent = any
 * @param headers headers that must have exactly these values
 */
public record HttpMatchSpec(PathSpec path, String method, Map<String, String> headers) {
    /**
     * @param type  {@code Exact}, {@code PathPrefix} (the default) or {@code RegularExpression}
     * @param value the path, prefix or expression
     */
    public record PathSpec(String type, String value) {}
}
