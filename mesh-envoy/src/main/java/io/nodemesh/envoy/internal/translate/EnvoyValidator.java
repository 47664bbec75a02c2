package io.nodemesh.envoy.internal.translate;

import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.WeightedBackend;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What a state must also satisfy to become Envoy configuration, beyond {@link MeshState#validate()}: regular expressions
 * RE2 accepts (Java's accepts more), backends that have the port routed to, weights that fit Envoy's uint32 total,
 * retry conditions Envoy knows, and resource names that are unique once translated.
 */
public final class EnvoyValidator {
    /** Java regex constructs RE2 rejects: lookaround, backreferences, possessive quantifiers, atomic groups. */
    private static final Pattern NOT_RE2 = Pattern.compile("\\(\\?<?[=!]|\\\\[1-9]|\\\\k<|[*+?}]\\+|\\(\\?>");

    private static final Set<String> RETRY_ON = Set.of(
            "5xx",
            "gateway-error",
            "reset",
            "reset-before-request",
            "connect-failure",
            "envoy-ratelimited",
            "retriable-4xx",
            "refused-stream",
            "retriable-status-codes",
            "retriable-headers",
            "http3-post-connect-failure",
            "cancelled",
            "deadline-exceeded",
            "internal",
            "resource-exhausted",
            "unavailable");

    private EnvoyValidator() {}

    public static List<Violation> validate(MeshState state) {
        return validate(state, state.index());
    }

    /** With the index the apply pipeline keeps from apply to apply, not one of 10,000 services built anew. */
    public static List<Violation> validate(MeshState state, io.nodemesh.api.state.MeshIndex index) {
        List<Violation> out = new ArrayList<>();
        for (HttpRoute r : state.routes()) {
            String at = "routes[" + r.key() + "]";
            Service parent = index.service(r.service()).orElse(null);
            for (int j = 0; j < r.rules().size(); j++) {
                HttpRouteRule rule = r.rules().get(j);
                String rat = at + ".rules[" + j + "]";
                for (int m = 0; m < rule.matches().size(); m++)
                    re2(rat + ".matches[" + m + "]", rule.matches().get(m), out);
                long total = 0;
                for (int b = 0; b < rule.backends().size(); b++) {
                    WeightedBackend wb = rule.backends().get(b);
                    total += Math.max(0, wb.weight());
                    Service target = index.service(wb.service()).orElse(null);
                    if (target == null || parent == null) continue; // mesh-api validation reports those
                    for (ServicePort own : parent.ports()) {
                        int port = wb.port() == 0 ? own.port() : wb.port();
                        boolean has =
                                target.ports().stream().anyMatch(p -> p.port() == port && p.protocol() == Protocol.TCP);
                        if (!has) {
                            out.add(new Violation(
                                    rat + ".backends[" + b + "].port",
                                    "service " + wb.service() + " has no TCP port " + port
                                            + (wb.port() == 0
                                                    ? " (the port of " + r.service() + " it would take)"
                                                    : "")));
                            break;
                        }
                    }
                }
                if (total > 0xFFFF_FFFFL)
                    out.add(new Violation(
                            rat + ".backends", "weights add up to " + total + ", more than Envoy's 4294967295"));
                for (int k = 0; k < rule.retries().retryOn().size(); k++) {
                    String cond = rule.retries().retryOn().get(k);
                    if (!RETRY_ON.contains(cond)) {
                        out.add(new Violation(
                                rat + ".retries.retryOn[" + k + "]",
                                "'" + cond + "' is not an Envoy retry condition; use one of "
                                        + new java.util.TreeSet<>(RETRY_ON)));
                    }
                }
            }
        }
        if (state.encryption().mode() == io.nodemesh.api.state.EncryptionSpec.Mode.MTLS) {
            String prefix = "spiffe://" + state.encryption().trustDomain() + "/";
            for (var w : state.workloads()) {
                if (w.identity() != null && !w.identity().startsWith(prefix)) {
                    out.add(new Violation(
                            "workloads[" + w.key() + "].identity",
                            "'" + w.identity() + "' is outside the mTLS trust domain '"
                                    + state.encryption().trustDomain()
                                    + "', so the mesh CA cannot issue its certificate"));
                }
            }
        }
        for (Policy p : state.policies()) {
            for (int h = 0; h < p.http().size(); h++)
                re2("policies[" + p.key() + "].http[" + h + "]", p.http().get(h), out);
        }
        return out;
    }

    /** Names that must be unique within each resource type once translated ("duplicate listeners" and the like). */
    public static List<Violation> uniqueNames(MeshResources r) {
        List<Violation> out = new ArrayList<>();
        unique("listeners", r.listeners(), l -> l.getName(), out);
        unique("clusters", r.clusters(), c -> c.getName(), out);
        unique("routes", r.routes(), c -> c.getName(), out);
        unique("endpoints", r.endpoints(), c -> c.getClusterName(), out);
        unique("secrets", r.secrets(), c -> c.getName(), out);
        return out;
    }

    private static <T> void unique(String kind, List<T> items, Function<T, String> name, List<Violation> out) {
        Set<String> seen = new HashSet<>();
        for (T item : items) {
            if (!seen.add(name.apply(item)))
                out.add(new Violation(
                        kind + "[" + name.apply(item) + "]", "duplicate " + kind + " name once translated to Envoy"));
        }
    }

    private static void re2(String at, HttpMatch m, List<Violation> out) {
        if (m.path().kind() != PathMatch.Kind.REGEX) return;
        var bad = NOT_RE2.matcher(m.path().value());
        if (bad.find()) {
            out.add(
                    new Violation(
                            at + ".path.value",
                            "'" + bad.group() + "' at index " + bad.start()
                                    + " is not RE2 syntax (Envoy and gRPC use RE2: no lookaround, backreferences, possessive or atomic groups)"));
        }
    }
}
