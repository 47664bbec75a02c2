package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.Builder;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Policy} as Envoy RBAC HTTP filters for requests to one service, with the semantics of
 * {@link io.nodemesh.api.state.MeshIndex#allows}: a first filter denies what any DENY matches; a second, present only
 * when some ALLOW selects the service, lets through only what an ALLOW matches (default deny).
 * <p>
 * A source identity is matched by its mTLS principal (the SPIFFE id in the peer certificate) or by the addresses of the
 * workloads that have it — the node proxy sees local pods in clear text, and proxyless gRPC servers may run without TLS.
 * <p>
 * With mTLS, a backend's server sees requests that came through a node proxy as the node proxy's
 * ({@code spiffe://<td>/nodemesh/node-proxy/<node>}), not the pod's: the proxy's outbound chain already enforced the
 * same policy on the pod's address. So server-side RBAC trusts node proxies of the mesh for what they forwarded (the
 * ztunnel/waypoint model: a node proxy speaks for the pods of its node): every ALLOW also matches a node proxy, and a
 * DENY does not match one — except a DENY of every source, which denies the node proxy too, as the source proxy would
 * have denied the request. Only an authenticated (mTLS) node-proxy principal gets this trust, never an address.
 */
final class RbacTranslator {
    static final String FILTER = "envoy.filters.http.rbac";

    private RbacTranslator() {}

    /**
     * For a server on the backend: policy ports are the backend's (target) ports, as the server sees them; with mTLS,
     * node proxies are trusted as the class comment says.
     */
    static List<HttpFilter> filters(MeshState state, Service s, List<String> backendIdentities) {
        String proxies = state.encryption().mode() == EncryptionSpec.Mode.MTLS
                ? nodeProxyPrefix(state.encryption().trustDomain())
                : null;
        return filters(state, s, backendIdentities, java.util.Optional::of, proxies);
    }

    /** The common start of every node proxy's SPIFFE id in {@code trustDomain} (the id of a node with an empty name). */
    static String nodeProxyPrefix(String trustDomain) {
        return TlsContexts.nodeProxyIdentity(trustDomain, "");
    }

    /**
     * @param portSeen the destination port the enforcing proxy sees for a policy's (target) port, or empty when no
     *                 connection it sees can have that port — the node proxy's outbound chain of one service port sees
     *                 the VIP port, and only connections headed for that port's target port
     */
    static List<HttpFilter> filters(
            MeshState state,
            Service s,
            List<String> backendIdentities,
            java.util.function.Function<Integer, java.util.Optional<Integer>> portSeen) {
        // The node proxy's own chains judge the pod itself: no proxy to trust there.
        return filters(state, s, backendIdentities, portSeen, null);
    }

    /** @param trustedProxies principal prefix of the node proxies a server trusts (see the class comment), or null */
    private static List<HttpFilter> filters(
            MeshState state,
            Service s,
            List<String> backendIdentities,
            java.util.function.Function<Integer, java.util.Optional<Integer>> portSeen,
            String trustedProxies) {
        List<Policy> deny = new ArrayList<>();
        List<Policy> allow = new ArrayList<>();
        for (Policy p : state.policies()) {
            boolean selects =
                    p.selects("", s.key()) || backendIdentities.stream().anyMatch(id -> p.selects(id, s.key()));
            if (!selects) continue;
            (p.action() == PolicyAction.DENY ? deny : allow).add(p);
        }
        List<HttpFilter> filters = new ArrayList<>();
        if (!deny.isEmpty())
            filters.add(filter(FILTER + ".deny", RBAC.Action.DENY, deny, state, portSeen, trustedProxies));
        if (!allow.isEmpty())
            filters.add(filter(FILTER + ".allow", RBAC.Action.ALLOW, allow, state, portSeen, trustedProxies));
        return filters;
    }

    private static HttpFilter filter(
            String name,
            RBAC.Action action,
            List<Policy> policies,
            MeshState state,
            java.util.function.Function<Integer, java.util.Optional<Integer>> portSeen,
            String trustedProxies) {
        var rbac = RBAC.newBuilder().setAction(action);
        for (Policy p : policies) {
            Principal principal = principal(p, state);
            if (trustedProxies != null) principal = trusting(principal, action, trustedProxies);
            rbac.putPolicies(
                    p.key(),
                    io.envoyproxy.envoy.config.rbac.v3.Policy.newBuilder()
                            .addPermissions(permission(p, portSeen))
                            .addPrincipals(principal)
                            .build());
        }
        Builder filter = io.envoyproxy
                .envoy
                .extensions
                .filters
                .http
                .rbac
                .v3
                .RBAC
                .newBuilder()
                .setRules(rbac);
        return HttpFilter.newBuilder()
                .setName(name)
                .setTypedConfig(Any.pack(filter.build()))
                .build();
    }

    /** Ports AND (any of the HTTP matches). */
    private static Permission permission(
            Policy p, java.util.function.Function<Integer, java.util.Optional<Integer>> portSeen) {
        List<Permission> and = new ArrayList<>();
        if (!p.ports().isEmpty()) {
            List<Permission> ports = p.ports().stream()
                    .map(portSeen)
                    .flatMap(java.util.Optional::stream)
                    .distinct()
                    .map(port ->
                            Permission.newBuilder().setDestinationPort(port).build())
                    .toList();
            // No port this proxy sees can match: the policy matches nothing here (but an ALLOW still makes it
            // default-deny).
            and.add(
                    ports.isEmpty()
                            ? Permission.newBuilder()
                                    .setNotRule(Permission.newBuilder().setAny(true))
                                    .build()
                            : or(ports));
        }
        if (!p.http().isEmpty())
            and.add(or(p.http().stream().map(RbacTranslator::http).toList()));
        if (and.isEmpty()) return Permission.newBuilder().setAny(true).build();
        if (and.size() == 1) return and.getFirst();
        return Permission.newBuilder()
                .setAndRules(Permission.Set.newBuilder().addAllRules(and))
                .build();
    }

    private static Permission http(HttpMatch m) {
        List<Permission> and = new ArrayList<>();
        var path = switch (m.path().kind()) {
            case EXACT -> StringMatcher.newBuilder().setExact(m.path().value());
            case PREFIX -> StringMatcher.newBuilder().setPrefix(m.path().value());
            case REGEX ->
                StringMatcher.newBuilder()
                        .setSafeRegex(
                                RegexMatcher.newBuilder().setRegex(m.path().value()));
        };
        and.add(Permission.newBuilder()
                .setUrlPath(PathMatcher.newBuilder().setPath(path))
                .build());
        if (!m.method().isEmpty())
            and.add(Permission.newBuilder()
                    .setHeader(RouteTranslator.header(":method", m.method()))
                    .build());
        m.headers()
                .forEach((k, v) -> and.add(Permission.newBuilder()
                        .setHeader(RouteTranslator.header(k, v))
                        .build()));
        return and.size() == 1
                ? and.getFirst()
                : Permission.newBuilder()
                        .setAndRules(Permission.Set.newBuilder().addAllRules(and))
                        .build();
    }

    private static Permission or(List<Permission> rules) {
        return rules.size() == 1
                ? rules.getFirst()
                : Permission.newBuilder()
                        .setOrRules(Permission.Set.newBuilder().addAllRules(rules))
                        .build();
    }

    private static Principal principal(Policy p, MeshState state) {
        if (p.sources().isEmpty() || p.sources().contains(Identities.ANY))
            return Principal.newBuilder().setAny(true).build();
        List<Principal> ids = new ArrayList<>();
        for (String source : p.sources()) {
            if (source.equals(Identities.HOST)) {
                // Node processes connect from the node's own addresses.
                for (Node n : state.nodes()) n.addresses().forEach(a -> ids.add(ip(a)));
                continue;
            }
            ids.add(Principal.newBuilder()
                    .setAuthenticated(Principal.Authenticated.newBuilder()
                            .setPrincipalName(StringMatcher.newBuilder().setExact(source)))
                    .build());
            for (Workload w : state.workloads()) {
                if (w.identity().equals(source)) w.ips().forEach(ip -> ids.add(ip(ip)));
            }
        }
        if (ids.size() == 1) return ids.getFirst();
        return Principal.newBuilder()
                .setOrIds(Principal.Set.newBuilder().addAllIds(ids))
                .build();
    }

    /**
     * {@code principal} with node proxies trusted: an ALLOW's also admits them, a DENY's leaves them out unless it names
     * every source ({@code any}), which the source proxy denied as well. The permission (ports, HTTP matches) is kept
     * as it is, so a trusted proxy still gets only what the policy lets through.
     */
    private static Principal trusting(Principal principal, RBAC.Action action, String proxyPrefix) {
        if (principal.getAny()) return principal;
        Principal proxy = Principal.newBuilder()
                .setAuthenticated(Principal.Authenticated.newBuilder()
                        .setPrincipalName(StringMatcher.newBuilder().setPrefix(proxyPrefix)))
                .build();
        if (action == RBAC.Action.ALLOW) {
            var ids = Principal.Set.newBuilder();
            if (principal.hasOrIds()) ids.addAllIds(principal.getOrIds().getIdsList());
            else ids.addIds(principal);
            return Principal.newBuilder().setOrIds(ids.addIds(proxy)).build();
        }
        return Principal.newBuilder()
                .setAndIds(Principal.Set.newBuilder()
                        .addIds(principal)
                        .addIds(Principal.newBuilder().setNotId(proxy)))
                .build();
    }

    private static Principal ip(String ip) {
        CidrRange host = Protos.host(ip);
        return Principal.newBuilder().setDirectRemoteIp(host).build();
    }
}
