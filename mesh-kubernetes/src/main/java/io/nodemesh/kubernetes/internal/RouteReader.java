package io.nodemesh.kubernetes.internal;

import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.RetryPolicy;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.kubernetes.crd.MeshHttpRoute;
import io.nodemesh.kubernetes.crd.MeshHttpRouteSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A {@link MeshHttpRoute} becomes an {@link HttpRoute}; what cannot be translated is reported with its path. */
final class RouteReader {
    private RouteReader() {}

    static Translated<HttpRoute> read(MeshHttpRoute cr) {
        List<Violation> violations = new ArrayList<>();
        MeshHttpRouteSpec spec = cr.getSpec();
        String ns = cr.getMetadata().getNamespace();
        if (spec == null) {
            violations.add(new Violation("spec", "missing"));
            return new Translated<>(null, violations);
        }
        if (spec.service() == null || spec.service().isEmpty())
            violations.add(new Violation("spec.service", "missing"));
        List<HttpRouteRule> rules = new ArrayList<>();
        List<MeshHttpRouteSpec.Rule> specRules = spec.rules() == null ? List.of() : spec.rules();
        for (int i = 0; i < specRules.size(); i++) {
            MeshHttpRouteSpec.Rule r = specRules.get(i);
            String at = "spec.rules[" + i + "]";
            if (r == null) {
                violations.add(new Violation(at, "empty rule"));
                continue;
            }
            var matches = HttpMatchReader.read(r.matches(), at + ".matches", violations);
            List<WeightedBackend> backends = new ArrayList<>();
            if (r.backends() != null) {
                for (int b = 0; b < r.backends().size(); b++) {
                    var backend = r.backends().get(b);
                    if (backend == null || backend.service() == null) {
                        violations.add(new Violation(at + ".backends[" + b + "].service", "missing"));
                        continue;
                    }
                    backends.add(new WeightedBackend(
                            Refs.service(backend.service(), ns),
                            backend.port() == null ? 0 : backend.port(),
                            backend.weight() == null ? 1 : backend.weight()));
                }
            }
            Duration timeout = duration(r.timeout(), at + ".timeout", violations);
            RetryPolicy retries = RetryPolicy.NONE;
            if (r.retries() != null) {
                retries = new RetryPolicy(
                        r.retries().attempts() == null ? 0 : r.retries().attempts(),
                        duration(r.retries().perTryTimeout(), at + ".retries.perTryTimeout", violations),
                        r.retries().retryOn());
            }
            rules.add(new HttpRouteRule(
                    matches, backends, timeout, retries, FaultReader.read(r.fault(), at + ".fault", violations)));
        }
        HttpRoute route = new HttpRoute(ns, cr.getMetadata().getName(), Refs.service(spec.service(), ns), rules);
        return new Translated<>(violations.isEmpty() ? route : null, violations);
    }

    private static Duration duration(String text, String at, List<Violation> violations) {
        if (text == null || text.isEmpty()) return Duration.ZERO;
        Duration d = GoDuration.parse(text);
        if (d == null) violations.add(new Violation(at, "'" + text + "' is not a duration such as 2s, 500ms or 1m30s"));
        return d == null ? Duration.ZERO : d;
    }
}
