package io.nodemesh.sim.internal;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpFault;
import io.nodemesh.api.state.HttpFilter;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.RequestHeaderModifier;
import io.nodemesh.api.state.RequestRedirect;
import io.nodemesh.api.state.ResponseHeaderModifier;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.sim.HttpRequest;
import io.nodemesh.sim.RequestResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's proxy (the one Envoy per node) as far as routing and L7 policy go: it takes requests addressed to an L7
 * service's VIP, picks the first matching rule of the service's {@link HttpRoute}s (routes in state order, rules in
 * route order), splits by weight with the node's seeded random stream, load-balances onto the chosen service's ready
 * endpoints, and checks each request against L7 policy. A service without a route goes to its own endpoints, as the
 * Envoy backend's default route does. Timeouts and retries are not modelled: simulated backends never stall or fail.
 * Route faults are: an abort answers with its status, a delay is reported on the result (the virtual clock is the
 * caller's to advance, so a delayed request does not move time for every other flow). A rule's redirect answers
 * without a backend; its header edits show on the forwarded request and the response headers of the result.
 */
public final class NodeProxy {
    private final NodeKernel kernel;

    NodeProxy(NodeKernel kernel) {
        this.kernel = kernel;
    }

    /** A rule that matched: its route's key (empty for the default route), index and filters. */
    private record Match(
            String route, int rule, List<WeightedBackend> backends, HttpFault fault, List<HttpFilter> filters) {}

    public RequestResult handle(
            Snapshot s, Instant now, NodeKernel.ClientEnd client, String ip, int port, HttpRequest request) {
        MeshIndex index = s.index();
        Service service = s.serviceByVip(ip, port, Protocol.TCP)
                .filter(Service::l7)
                .orElseThrow(
                        () -> new IllegalArgumentException(
                                "no L7 service has VIP " + ip + ":" + port
                                        + " (requests go through the node proxy only for services marked l7; use connect for the others)"));
        FlowPeer src = kernel.clientPeer(client);
        FlowPeer dst = new FlowPeer(ip, port, "", "");

        Optional<Match> match = match(s, service, port, request);
        if (match.isEmpty()) {
            return reject(
                    now,
                    src,
                    dst,
                    service,
                    null,
                    404,
                    Verdict.NO_BACKEND,
                    "no rule of the routes for service " + service.key() + " matches " + request.method() + " "
                            + request.pathOnly());
        }
        // As Envoy's fault filter: the delay first, then the abort, each drawn on its own from the seeded stream.
        HttpFault fault = match.get().fault();
        Duration delay = fault.delays() && kernel.picker().chance(fault.delayPercent()) ? fault.delay() : Duration.ZERO;
        if (fault.aborts() && kernel.picker().chance(fault.abortPercent())) {
            return reject(
                    now,
                    src,
                    dst,
                    service,
                    null,
                    fault.abortStatus(),
                    Verdict.NO_BACKEND,
                    "fault injected by rule " + match.get().rule() + " of route "
                            + match.get().route() + ": aborted with " + fault.abortStatus());
        }
        // As Envoy's router: a redirect answers after the fault filter ran, before any backend is picked.
        for (HttpFilter f : match.get().filters()) {
            if (f instanceof RequestRedirect r) {
                kernel.publish(
                        now,
                        FlowEvent.Type.DROP,
                        src,
                        dst,
                        service.key(),
                        null,
                        Verdict.NO_BACKEND,
                        FlowPath.NODE_PROXY,
                        0);
                return new RequestResult.Redirected(
                        match.get().route(),
                        match.get().rule(),
                        r.statusCode(),
                        Redirects.location(r, request, ip, port));
            }
        }
        WeightedBackend split = kernel.picker().weighted(match.get().backends());
        Service target = index.service(split.service()).orElseThrow(); // validation guarantees it exists
        int targetServicePort = split.port() == 0 ? port : split.port();
        List<Endpoint> ready = kernel.selectable(s, target, now);
        if (ready.isEmpty()) {
            return reject(
                    now,
                    src,
                    dst,
                    service,
                    null,
                    503,
                    Verdict.NO_BACKEND,
                    "service " + target.key() + " has no ready endpoint");
        }
        Endpoint chosen = kernel.pick(s, now, target, ready, src, dst);
        FlowPeer backend =
                NodeKernel.backendPeer(index, chosen, NodeKernel.targetPort(target, targetServicePort, Protocol.TCP));
        if (!RequestPolicy.requestAllows(
                index, client.identity(), backend.identity(), service.key(), backend.port(), request)) {
            return reject(
                    now,
                    src,
                    dst,
                    service,
                    backend,
                    403,
                    Verdict.DROPPED_POLICY,
                    RequestPolicy.denial(
                            client.identity(),
                            backend.identity().isEmpty() ? backend.ip() : backend.identity(),
                            service.key(),
                            request));
        }
        switch (kernel.health().condition(chosen.ip())) {
            case DOWN -> {
                kernel.health().connectFailed(s, target, chosen.ip(), now);
                return reject(
                        now,
                        src,
                        dst,
                        service,
                        backend,
                        503,
                        Verdict.BACKEND_FAILED,
                        "backend " + chosen.ip() + ":" + backend.port() + " of " + target.key() + " is down");
            }
            case SERVER_ERRORS -> kernel.health().answered(s, target, chosen.ip(), 503, now);
            case UP -> {
                kernel.health().connected(target, chosen.ip());
                kernel.health().answered(s, target, chosen.ip(), 200, now);
            }
        }
        kernel.remember(s, now, target, src, dst, chosen);
        kernel.publish(
                now,
                FlowEvent.Type.TRANSLATE,
                src,
                dst,
                service.key(),
                backend,
                Verdict.FORWARDED,
                FlowPath.NODE_PROXY,
                0);
        // Header edits belong to the route, so L7 policy above judged the request as the client sent it (Envoy's RBAC
        // filter runs before the router applies them).
        HttpRequest forwarded = request;
        Map<String, String> responseHeaders = Map.of();
        for (HttpFilter f : match.get().filters()) {
            switch (f) {
                case RequestHeaderModifier m ->
                    forwarded =
                            new HttpRequest(request.method(), request.path(), HeaderEdits.apply(m, request.headers()));
                case ResponseHeaderModifier m -> responseHeaders = HeaderEdits.apply(m, Map.of());
                case RequestRedirect r -> throw new IllegalStateException("a redirect answered above");
            }
        }
        return new RequestResult.Routed(
                match.get().route(),
                match.get().rule(),
                target.key(),
                backend,
                FlowPath.NODE_PROXY,
                delay,
                forwarded,
                responseHeaders);
    }

    /** First match wins across the service's routes; no route at all means the service's own endpoints. */
    private static Optional<Match> match(Snapshot s, Service service, int port, HttpRequest request) {
        List<HttpRoute> routes = s.routesFor(service);
        if (routes.isEmpty()) {
            return Optional.of(
                    new Match("", -1, List.of(new WeightedBackend(service.key(), port, 1)), HttpFault.NONE, List.of()));
        }
        for (HttpRoute route : routes) {
            for (int i = 0; i < route.rules().size(); i++) {
                HttpRouteRule rule = route.rules().get(i);
                if (rule.matches().isEmpty()
                        || rule.matches().stream().anyMatch(m -> HttpMatching.matches(m, request))) {
                    return Optional.of(new Match(route.key(), i, rule.backends(), rule.fault(), rule.filters()));
                }
            }
        }
        return Optional.empty();
    }

    private RequestResult reject(
            Instant now,
            FlowPeer src,
            FlowPeer dst,
            Service service,
            FlowPeer backend,
            int status,
            Verdict verdict,
            String reason) {
        kernel.publish(now, FlowEvent.Type.DROP, src, dst, service.key(), backend, verdict, FlowPath.NODE_PROXY, 0);
        return new RequestResult.Rejected(status, verdict, reason);
    }
}
