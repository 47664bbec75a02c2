package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.kubernetes.crd.MeshHttpRoute;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every object that routes a service's requests — MeshHttpRoutes, and Gateway API HTTPRoutes and GRPCRoutes attached
 * to Services — read into MeshState routes, with one rule between them: a service has at most one route. When two
 * objects route the same service, the older one (by creation time, then namespace/name, then kind) keeps it and the
 * other is refused with a violation naming both, whatever their kinds; a refused object falls back to its last
 * applied version if that routes only services no one else took. Runs on the feed thread only.
 */
final class RouteSources {
    private static final Logger LOG = LoggerFactory.getLogger(RouteSources.class);

    /** The routes chosen, where each came from, and the services that are backends of gRPC routes (HTTP/2 upstream). */
    record Chosen(Map<String, HttpRoute> routes, Map<String, RouteOrigin> origins, Set<String> grpcBackends) {}

    /** One object as read: its MeshState routes by key, or the violations that stop it. */
    private record Source(
            String id,
            String kind,
            GenericKubernetesResource resource,
            Map<String, HttpRoute> routes,
            Map<String, RouteOrigin> origins,
            List<Violation> violations) {
        String name() {
            return kind + " " + Refs.key(resource);
        }
    }

    private final KubernetesSerialization serialization;
    /** Each object's routes as last applied, by verdict id, with their origins. */
    private final Map<String, Map<String, HttpRoute>> lastGood = new HashMap<>();

    private final Map<String, RouteOrigin> lastGoodOrigins = new HashMap<>();
    private Map<String, RouteOrigin> origins = Map.of();
    /** What was last logged about each Gateway API route, so each refusal or ignored parent is logged once. */
    private final Map<String, String> logged = new HashMap<>();
    /** The ids of the Gateway API routes and MeshHttpRoutes in this pass. */
    private final Set<String> seen = new HashSet<>();

    RouteSources(KubernetesSerialization serialization) {
        this.serialization = serialization;
    }

    Chosen choose(
            List<GenericKubernetesResource> meshRoutes,
            List<GenericKubernetesResource> httpRoutes,
            List<GenericKubernetesResource> grpcRoutes,
            Verdicts verdicts) {
        List<Source> sources = new ArrayList<>();
        seen.clear();
        meshRoutes.forEach(r -> sources.add(meshHttpRoute(r)));
        httpRoutes.forEach(r -> gateway(r, "HTTPRoute", "httproute", sources));
        grpcRoutes.forEach(r -> gateway(r, "GRPCRoute", "grpcroute", sources));
        sources.sort(Comparator.comparing((Source s) -> created(s.resource()))
                .thenComparing(s -> Refs.key(s.resource()))
                .thenComparing(Source::kind));

        Map<String, String> claimedBy = new HashMap<>();
        Map<String, HttpRoute> routes = new TreeMap<>();
        Map<String, RouteOrigin> chosenOrigins = new HashMap<>();
        Set<String> grpcBackends = new HashSet<>();
        for (Source s : sources) {
            verdicts.seen(s.id(), s.resource());
            List<Violation> found = new ArrayList<>(s.violations());
            if (found.isEmpty()) {
                for (var e : s.routes().entrySet()) {
                    String other = claimedBy.get(e.getValue().service());
                    if (other == null) continue;
                    found.add(new Violation(
                            s.origins().get(e.getKey()).serviceField(),
                            "service " + e.getValue().service() + " is already routed by " + other + " (the older):"
                                    + " two routes for one service are refused, as which would win is undefined;"
                                    + " put their rules in one route"));
                }
            }
            Map<String, HttpRoute> take = s.routes();
            Map<String, RouteOrigin> takeOrigins = s.origins();
            if (!found.isEmpty()) {
                Map<String, HttpRoute> last = lastGood.get(s.id());
                boolean fallBack = last != null
                        && !last.isEmpty()
                        && last.values().stream().noneMatch(r -> claimedBy.containsKey(r.service()));
                verdicts.reject(s.id(), found, fallBack);
                if (!s.kind().equals("MeshHttpRoute"))
                    logOnce(
                            s.id(),
                            s.name() + " refused: " + found
                                    + (fallBack ? " (the previous version keeps serving)" : " (not applied)"),
                            true);
                take = fallBack ? last : Map.of();
                takeOrigins = lastGoodOrigins;
            } else if (!s.kind().equals("MeshHttpRoute")) {
                logged.remove(s.id());
            }
            for (var e : take.entrySet()) {
                routes.put(e.getKey(), e.getValue());
                RouteOrigin origin = takeOrigins.get(e.getKey());
                if (origin != null) chosenOrigins.put(e.getKey(), origin);
                claimedBy.putIfAbsent(e.getValue().service(), s.name());
                if (s.kind().equals("GRPCRoute"))
                    e.getValue()
                            .rules()
                            .forEach(rule -> rule.backends().stream()
                                    .map(WeightedBackend::service)
                                    .forEach(grpcBackends::add));
            }
        }
        logged.keySet().removeIf(k -> !seen.contains(k.split("#")[0]));
        origins = Map.copyOf(chosenOrigins);
        return new Chosen(routes, origins, grpcBackends);
    }

    /** Remembers what each object had applied, so a later bad edit of it falls back to that. */
    void committed(List<HttpRoute> applied) {
        lastGood.clear();
        lastGoodOrigins.clear();
        for (HttpRoute r : applied) {
            RouteOrigin origin = origins.get(r.key());
            if (origin == null) continue;
            lastGood.computeIfAbsent(origin.sourceId(), k -> new TreeMap<>()).put(r.key(), r);
            lastGoodOrigins.put(r.key(), origin);
        }
    }

    private Source meshHttpRoute(GenericKubernetesResource r) {
        String id = Verdicts.id("route", Refs.key(r));
        seen.add(id);
        Translated<HttpRoute> t;
        try {
            t = RouteReader.read(serialization.convertValue(r, MeshHttpRoute.class));
        } catch (RuntimeException e) {
            t = new Translated<>(null, List.of(new Violation("spec", "cannot be read: " + e.getMessage())));
        }
        if (!t.ok()) return new Source(id, "MeshHttpRoute", r, Map.of(), Map.of(), t.violations());
        return new Source(
                id,
                "MeshHttpRoute",
                r,
                Map.of(t.value().key(), t.value()),
                Map.of(t.value().key(), RouteOrigin.meshHttpRoute(id)),
                List.of());
    }

    private void gateway(GenericKubernetesResource r, String kind, String idKind, List<Source> out) {
        String id = Verdicts.id(idKind, Refs.key(r));
        seen.add(id);
        GatewayRead read;
        try {
            read = kind.equals("HTTPRoute")
                    ? GatewayHttpRouteReader.read(serialization.convertValue(r, HTTPRoute.class))
                    : GatewayGrpcRouteReader.read(serialization.convertValue(r, GRPCRoute.class));
        } catch (RuntimeException e) {
            read = GatewayRead.failed(List.of(new Violation("spec", "cannot be read: " + e.getMessage())));
        }
        if (!read.otherParents().isEmpty())
            logOnce(
                    id + "#parents",
                    kind + " " + Refs.key(r) + ": parents " + read.otherParents() + " ignored (nodemesh is a mesh,"
                            + " not an ingress: it serves routes whose parentRefs name a Service)",
                    false);
        if (read.notTheMeshs()) return; // attached to Gateways only: another controller's, no status from us
        out.add(new Source(id, kind, r, read.routes().routes(), read.routes().origins(), read.violations()));
    }

    private void logOnce(String key, String line, boolean warn) {
        if (line.equals(logged.put(key, line))) return;
        if (warn) LOG.warn(line);
        else LOG.info(line);
    }

    private static String created(GenericKubernetesResource r) {
        String t = r.getMetadata().getCreationTimestamp();
        return t == null ? "~" : t; // RFC 3339 in UTC sorts as text; one without a time sorts last
    }
}
