package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.nodemesh.api.state.HttpFilter;
import io.nodemesh.api.state.RequestHeaderModifier;
import io.nodemesh.api.state.RequestRedirect;
import io.nodemesh.api.state.ResponseHeaderModifier;
import io.nodemesh.api.state.Violation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gateway API route filters as the mesh's {@link HttpFilter}s: header modifiers and redirects. What they may contain
 * (header names, redirect status) is left to MeshState validation; this checks only what the mesh cannot express.
 */
final class GatewayFilters {
    private GatewayFilters() {}

    static HttpFilter headers(HTTPHeaderFilter f, boolean request, String at, List<Violation> violations) {
        String field = request ? "requestHeaderModifier" : "responseHeaderModifier";
        if (f == null) {
            violations.add(new Violation(at + "." + field, "missing"));
            return null;
        }
        Map<String, String> set = headerMap(f.getSet(), at + "." + field + ".set", violations);
        Map<String, String> add = headerMap(f.getAdd(), at + "." + field + ".add", violations);
        List<String> remove = f.getRemove() == null ? List.of() : f.getRemove();
        return request ? new RequestHeaderModifier(set, add, remove) : new ResponseHeaderModifier(set, add, remove);
    }

    static HttpFilter redirect(HTTPRequestRedirectFilter f, String at, List<Violation> violations) {
        if (f == null) {
            violations.add(new Violation(at + ".requestRedirect", "missing"));
            return null;
        }
        String path = "";
        if (f.getPath() != null) {
            String type = f.getPath().getType();
            if ("ReplaceFullPath".equals(type)) {
                path = f.getPath().getReplaceFullPath();
            } else {
                violations.add(new Violation(
                        at + ".requestRedirect.path.type",
                        "'" + type + "' is not supported (only ReplaceFullPath: a redirect names its whole path)"));
                return null;
            }
        }
        return new RequestRedirect(
                f.getScheme(),
                f.getHostname(),
                f.getPort() == null ? 0 : f.getPort(),
                path,
                f.getStatusCode() == null ? 0 : f.getStatusCode());
    }

    static Violation unsupported(String type, String at, String supported) {
        return new Violation(at + ".type", "'" + type + "' is not supported by nodemesh (it maps " + supported + ")");
    }

    private static Map<String, String> headerMap(List<HTTPHeader> headers, String at, List<Violation> violations) {
        Map<String, String> out = new LinkedHashMap<>();
        if (headers == null) return out;
        for (int i = 0; i < headers.size(); i++) {
            HTTPHeader h = headers.get(i);
            if (h == null || h.getName() == null) {
                violations.add(new Violation(at + "[" + i + "].name", "missing"));
                continue;
            }
            if (out.putIfAbsent(h.getName(), h.getValue() == null ? "" : h.getValue()) != null)
                violations.add(new Violation(at + "[" + i + "]", "header " + h.getName() + " is named twice"));
        }
        return out;
    }
}
