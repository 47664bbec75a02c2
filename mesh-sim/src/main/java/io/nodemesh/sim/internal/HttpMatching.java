package io.nodemesh.sim.internal;

import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.sim.HttpRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Whether a request fits an {@link HttpMatch}, as Envoy's route and RBAC matchers decide it. */
final class HttpMatching {
    // Validation has compiled every regex of an applied state already; keep the compiled form instead of recompiling
    // per request.
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private HttpMatching() {}

    private static Pattern pattern(String regex) {
        // Bounded: a long-lived simulator fed ever-new states must not keep every expression it ever saw.
        if (PATTERNS.size() > 4096) PATTERNS.clear();
        return PATTERNS.computeIfAbsent(regex, Pattern::compile);
    }

    /** All conditions hold: path (exact, plain string prefix, or a regex matching the whole path), method, and headers. */
    static boolean matches(HttpMatch m, HttpRequest request) {
        String path = request.pathOnly();
        PathMatch pm = m.path();
        boolean pathOk = switch (pm.kind()) {
            case EXACT -> path.equals(pm.value());
            case PREFIX -> path.startsWith(pm.value());
            case REGEX -> pattern(pm.value()).matcher(path).matches();
        };
        if (!pathOk) return false;
        if (!m.method().isEmpty() && !m.method().equals(request.method())) return false;
        for (Map.Entry<String, String> h : m.headers().entrySet()) {
            if (!request.header(h.getKey()).map(h.getValue()::equals).orElse(false)) return false;
        }
        return true;
    }
}
