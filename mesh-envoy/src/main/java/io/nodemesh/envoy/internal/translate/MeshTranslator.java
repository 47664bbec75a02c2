package io.nodemesh.envoy.internal.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link MeshState} → Envoy resources. The cluster-wide part (clusters, endpoints, routes, the outbound and api
 * listeners) is translated once per apply and shared by every node; {@link #forNode} adds what only one node gets: the
 * server listeners of its gRPC backends and the certificates of its workloads.
 */
public final class MeshTranslator {
    private final int outboundPort;
    private final AccessLogTranslator accessLogs;

    public MeshTranslator(int outboundPort) {
        this(outboundPort, new AccessLogTranslator(true));
    }

    /** {@code accessLogs}: whether the node Envoy's chains report requests and connections (option {@code envoy.accessLog}). */
    public MeshTranslator(int outboundPort, AccessLogTranslator accessLogs) {
        this.outboundPort = outboundPort;
        this.accessLogs = accessLogs;
    }

    /** What one service translates to; kept between applies and reused while its inputs are equal. */
    private record ServiceTranslation(
            Service service,
            List<HttpRoute> routes,
            List<Cluster> clusters,
            List<ClusterLoadAssignment> endpoints,
            List<RouteConfiguration> routeConfigs,
            List<FilterChain> chains,
            List<Listener> apiListeners) {}

    /** Inputs every service's translation depends on besides itself and its routes. */
    private record Context(
            List<io.nodemesh.api.state.Node> nodes,
            List<Workload> workloads,
            List<io.nodemesh.api.state.Policy> policies,
            EncryptionSpec encryption) {}

    private final Map<String, ServiceTranslation> cache = new HashMap<>();
    private Context cachedFor;

    /**
     * Resources every node gets. A service whose own record, routes, and the mesh's nodes, workloads and policies are
     * unchanged since the last call keeps the very same messages, so an apply that changes one service re-translates
     * one service, and later stages (schema check, versions, serialization) see identical objects for the rest.
     */
    public MeshResources shared(MeshState state) {
        return shared(state, state.index());
    }

    /** Like {@link #shared(MeshState)} with the index of {@code state} at hand. */
    public synchronized MeshResources shared(MeshState state, MeshIndex index) {
        Context context = new Context(state.nodes(), state.workloads(), state.policies(), state.encryption());
        MeshResources replaced = replaceChanged(state, index, context);
        if (replaced != null) return replaced;
        if (!context.equals(cachedFor)) {
            cache.clear();
            cachedFor = context;
        }
        Map<String, List<HttpRoute>> routesByService = new HashMap<>();
        state.routes()
                .forEach(r -> routesByService
                        .computeIfAbsent(r.service(), k -> new ArrayList<>())
                        .add(r));
        int n = state.services().size();
        Layout layout = new Layout(
                state.services(),
                state.routes(),
                context,
                new ArrayList<>(),
                new ArrayList<>(),
                new ArrayList<>(),
                new ArrayList<>(),
                new ArrayList<>(),
                new int[n],
                new int[n],
                new int[n],
                new int[n],
                new int[n]);
        layout.clusters.add(ClusterTranslator.passthrough());
        Map<String, ServiceTranslation> next = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Service s = state.services().get(i);
            String key = s.key(); // built anew on every call: once per service here
            List<HttpRoute> own = routesByService.getOrDefault(key, List.of());
            ServiceTranslation t = cache.get(key);
            if (t == null
                    || t.service() != s && !t.service().equals(s)
                    || !t.routes().equals(own)) t = reuseEqual(t, translate(state, index, s, own));
            next.put(key, t);
            layout.append(i, t);
        }
        cache.clear();
        cache.putAll(next);
        this.layout = layout;
        return layout.resources(outbound(layout.chains));
    }

    /** Where each service's messages sit in the shared lists of the last translation, so a few can be replaced in place. */
    private record Layout(
            List<Service> services,
            List<HttpRoute> routes,
            Context context,
            List<Cluster> clusters,
            List<ClusterLoadAssignment> endpoints,
            List<RouteConfiguration> routeConfigs,
            List<FilterChain> chains,
            List<Listener> apiListeners,
            int[] clusterAt,
            int[] endpointAt,
            int[] routeAt,
            int[] chainAt,
            int[] listenerAt) {
        void append(int i, ServiceTranslation t) {
            clusterAt[i] = clusters.size();
            endpointAt[i] = endpoints.size();
            routeAt[i] = routeConfigs.size();
            chainAt[i] = chains.size();
            listenerAt[i] = apiListeners.size();
            clusters.addAll(t.clusters());
            endpoints.addAll(t.endpoints());
            routeConfigs.addAll(t.routeConfigs());
            chains.addAll(t.chains());
            apiListeners.addAll(t.apiListeners());
        }

        /** The same positions over copies of the lists, with {@code services} now. */
        Layout copy(List<Service> services) {
            return new Layout(
                    services,
                    routes,
                    context,
                    new ArrayList<>(clusters),
                    new ArrayList<>(endpoints),
                    new ArrayList<>(routeConfigs),
                    new ArrayList<>(chains),
                    new ArrayList<>(apiListeners),
                    clusterAt,
                    endpointAt,
                    routeAt,
                    chainAt,
                    listenerAt);
        }

        /** Puts {@code t} where service {@code i}'s messages were; false if it does not translate to as many. */
        boolean replace(int i, ServiceTranslation before, ServiceTranslation t) {
            if (before.clusters().size() != t.clusters().size()
                    || before.endpoints().size() != t.endpoints().size()
                    || before.routeConfigs().size() != t.routeConfigs().size()
                    || before.chains().size() != t.chains().size()
                    || before.apiListeners().size() != t.apiListeners().size()) return false;
            for (int k = 0; k < t.clusters().size(); k++)
                clusters.set(clusterAt[i] + k, t.clusters().get(k));
            for (int k = 0; k < t.endpoints().size(); k++)
                endpoints.set(endpointAt[i] + k, t.endpoints().get(k));
            for (int k = 0; k < t.routeConfigs().size(); k++)
                routeConfigs.set(routeAt[i] + k, t.routeConfigs().get(k));
            for (int k = 0; k < t.chains().size(); k++)
                chains.set(chainAt[i] + k, t.chains().get(k));
            for (int k = 0; k < t.apiListeners().size(); k++)
                apiListeners.set(listenerAt[i] + k, t.apiListeners().get(k));
            return true;
        }

        MeshResources resources(Listener outbound) {
            List<Listener> listeners = new ArrayList<>(apiListeners.size() + 1);
            listeners.add(outbound);
            listeners.addAll(apiListeners);
            return new MeshResources(clusters, endpoints, listeners, routeConfigs, List.of());
        }
    }

    private Layout layout;
    /** Above this many changed services, a full pass is as cheap as replacing them one by one. */
    private static final int MAX_REPLACED = 64;

    /**
     * The last translation with only the services that changed re-translated in place, when nothing else changed (the
     * mesh's nodes, workloads, policies and routes, the services' number, order and names); null otherwise. Finding
     * them is a comparison of references, so one endpoint change costs one service's translation instead of a walk
     * over every service.
     */
    private MeshResources replaceChanged(MeshState state, MeshIndex index, Context context) {
        Layout last = layout;
        List<Service> services = state.services();
        if (last == null
                || last.services.size() != services.size()
                || !context.equals(last.context)
                || !context.equals(cachedFor)
                || last.routes != state.routes() && !last.routes.equals(state.routes())) return null;
        List<Integer> changed = new ArrayList<>();
        for (int i = 0; i < services.size(); i++) {
            if (services.get(i) != last.services.get(i) && changed.size() < MAX_REPLACED + 1) changed.add(i);
        }
        if (changed.size() > MAX_REPLACED) return null;
        Layout next = last.copy(services);
        Map<String, ServiceTranslation> updates = new HashMap<>();
        for (int i : changed) {
            Service s = services.get(i);
            String key = s.key();
            ServiceTranslation before = cache.get(key);
            if (before == null || !key.equals(last.services.get(i).key())) return null;
            ServiceTranslation t = before.service().equals(s)
                    ? before
                    : reuseEqual(before, translate(state, index, s, before.routes()));
            if (!next.replace(i, before, t)) return null;
            updates.put(key, t);
        }
        cache.putAll(updates);
        layout = next;
        return next.resources(outbound(next.chains));
    }

    /**
     * {@code fresh} with every message equal to the one at the same place in {@code before} replaced by that older
     * object: an endpoint change re-translates its whole service, but its cluster, routes and outbound chain usually come
     * out equal, and keeping the old objects lets the later stages (checks, versions, packing, the outbound listener)
     * see them as unchanged by identity instead of walking or re-serializing them.
     */
    private static ServiceTranslation reuseEqual(ServiceTranslation before, ServiceTranslation fresh) {
        if (before == null) return fresh;
        return new ServiceTranslation(
                fresh.service(),
                fresh.routes(),
                reuse(before.clusters(), fresh.clusters()),
                reuse(before.endpoints(), fresh.endpoints()),
                reuse(before.routeConfigs(), fresh.routeConfigs()),
                reuse(before.chains(), fresh.chains()),
                reuse(before.apiListeners(), fresh.apiListeners()));
    }

    private static <T> List<T> reuse(List<T> before, List<T> fresh) {
        if (before.size() != fresh.size()) return fresh;
        List<T> out = new ArrayList<>(fresh.size());
        for (int i = 0; i < fresh.size(); i++)
            out.add(fresh.get(i).equals(before.get(i)) ? before.get(i) : fresh.get(i));
        return out;
    }

    private List<FilterChain> lastChains = List.of();
    private Listener lastOutbound;

    /** The outbound listener; the same message as last time when every chain is the same object. */
    private Listener outbound(List<FilterChain> chains) {
        boolean same = lastOutbound != null && chains.size() == lastChains.size();
        for (int i = 0; same && i < chains.size(); i++) same = chains.get(i) == lastChains.get(i);
        if (!same) {
            lastOutbound = ListenerTranslator.outbound(outboundPort, chains, accessLogs.tcp());
            lastChains = chains;
        }
        return lastOutbound;
    }

    private ServiceTranslation translate(MeshState state, MeshIndex index, Service s, List<HttpRoute> own) {
        List<Cluster> clusters = new ArrayList<>();
        List<ClusterLoadAssignment> endpoints = new ArrayList<>();
        List<RouteConfiguration> routes = new ArrayList<>();
        List<FilterChain> chains = new ArrayList<>();
        List<Listener> listeners = new ArrayList<>();
        List<String> identities = s.l7() ? backendIdentities(index, s) : List.of();
        boolean first = true;
        boolean faults = s.l7() && FaultTranslator.hasFaults(state, s);
        // mTLS: the backends of L7 services are the ones served with mTLS (their gRPC server listeners), so only their
        // clusters get TLS; the node proxy gets clusters and routes of its own (NodeProxyResources, TlsContexts say
        // why).
        boolean mtls = state.encryption().mode() == EncryptionSpec.Mode.MTLS;
        String td = state.encryption().trustDomain();
        List<String> peers = mtls && s.l7() ? identities.stream().sorted().toList() : List.of();
        for (ServicePort p : s.ports()) {
            if (p.protocol() != Protocol.TCP) continue; // UDP stays on the eBPF path
            Cluster cluster =
                    ClusterTranslator.cluster(s, p, mtls && s.l7() ? TlsContexts.grpcClient(td, peers) : null);
            clusters.add(cluster);
            if (mtls)
                clusters.add(
                        NodeProxyResources.cluster(cluster, s.l7() ? TlsContexts.nodeProxyClient(td, peers) : null));
            endpoints.add(EndpointTranslator.assignment(index, s, p));
            if (!s.l7()) continue;
            RouteConfiguration route = RouteTranslator.routeConfiguration(state, s, p);
            routes.add(route);
            if (mtls) routes.add(NodeProxyResources.route(route));
            // The outbound chain sees the VIP port, policies name the target port.
            FilterChain chain = ListenerTranslator.serviceChain(
                    s,
                    p,
                    RbacTranslator.filters(
                            state, s, identities, t -> t == p.targetPort() ? Optional.of(p.port()) : Optional.empty()),
                    faults,
                    accessLogs.http());
            chains.add(mtls ? NodeProxyResources.chain(chain) : chain);
            listeners.add(ListenerTranslator.api(Names.route(s, p), s, p, faults));
            // The bare host (no port) names the service's first port, as xds:///name.namespace does.
            if (first) listeners.add(ListenerTranslator.api(Names.host(s), s, p, faults));
            first = false;
        }
        return new ServiceTranslation(s, own, clusters, endpoints, routes, chains, listeners);
    }

    /** {@code shared} plus the gRPC server listeners of the backends on {@code node} and its workloads' secrets. */
    public MeshResources forNode(MeshState state, String node, MeshResources shared, CertificateSource certificates) {
        return forNode(state.index(), node, shared, certificates);
    }

    /** As above, with the state's index built once for all nodes. */
    public MeshResources forNode(MeshIndex index, String node, MeshResources shared, CertificateSource certificates) {
        return forNodes(index, List.of(node), shared, certificates).get(node);
    }

    /**
     * Every listed node's resources: one pass over the services finds the backends of each node (rather than one pass
     * per node), then each node gets the shared lists plus its own server listeners and secrets.
     */
    public Map<String, MeshResources> forNodes(
            MeshIndex index, List<String> nodes, MeshResources shared, CertificateSource certificates) {
        MeshState state = index.state();
        boolean mtls = state.encryption().mode() == EncryptionSpec.Mode.MTLS;
        Map<String, Map<Integer, Map<String, ListenerTranslator.ServedAddress>>> byNode = new HashMap<>();
        for (Service s : state.services()) {
            if (!s.l7()) continue;
            List<HttpFilter> rbac = null;
            for (Endpoint e : index.endpoints(s)) {
                if (e.state() == EndpointState.NOT_READY) continue;
                Optional<Workload> w = index.workload(e.workload()).or(() -> index.workloadByIp(e.ip()));
                if (w.isEmpty()) continue;
                // The server-side form: with mTLS it trusts node proxies for what their outbound chains decided.
                if (rbac == null) rbac = RbacTranslator.filters(state, s, backendIdentities(index, s));
                var byPort = byNode.computeIfAbsent(w.get().node(), k -> new java.util.TreeMap<>());
                for (ServicePort p : s.ports()) {
                    // Two services on the same backend address and port share its chain; the first one's policy wins.
                    byPort.computeIfAbsent(p.targetPort(), k -> new java.util.LinkedHashMap<>())
                            .putIfAbsent(
                                    io.nodemesh.api.state.IpAddresses.canonical(e.ip()),
                                    new ListenerTranslator.ServedAddress(
                                            e.ip(),
                                            Names.host(s),
                                            rbac,
                                            mtls ? w.get().identity() : null));
                }
            }
        }
        Map<String, List<String>> identitiesByNode = new HashMap<>();
        for (Workload w : state.workloads()) {
            List<String> ids = identitiesByNode.computeIfAbsent(w.node(), k -> new ArrayList<>());
            if (!ids.contains(w.identity())) ids.add(w.identity());
        }
        Map<String, MeshResources> out = new java.util.LinkedHashMap<>();
        for (String node : nodes) {
            var own = byNode.getOrDefault(node, Map.of());
            // A node with no server listeners of its own gets the shared list itself, so the snapshot stage can share
            // its resource map between all such nodes.
            List<Listener> listeners = own.isEmpty() ? shared.listeners() : new ArrayList<>(shared.listeners());
            own.forEach(
                    (port, served) -> listeners.add(ListenerTranslator.grpcServer(port, List.copyOf(served.values()))));
            List<Secret> secrets = new ArrayList<>();
            if (mtls) {
                secrets.add(certificates.trustBundle());
                for (String id : identitiesByNode.getOrDefault(node, List.of()))
                    secrets.add(certificates.certificate(id));
                // The node Envoy's client certificate, under a name all nodes share (the clusters naming it are
                // shared).
                secrets.add(
                        certificates
                                .certificate(TlsContexts.nodeProxyIdentity(
                                        state.encryption().trustDomain(), node))
                                .toBuilder()
                                .setName(TlsContexts.NODE_PROXY_SECRET)
                                .build());
            }
            out.put(
                    node,
                    new MeshResources(
                            shared.clusters(),
                            NodeEndpoints.of(index, node, shared.endpoints()),
                            listeners,
                            shared.routes(),
                            secrets));
        }
        return out;
    }

    /** Every identity a certificate is issued for: the workloads' and, in mTLS mode, each node proxy's. */
    public static java.util.Set<String> identitiesInUse(MeshState state) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        state.workloads().forEach(w -> ids.add(w.identity()));
        if (state.encryption().mode() == EncryptionSpec.Mode.MTLS) {
            state.nodes()
                    .forEach(n -> ids.add(
                            TlsContexts.nodeProxyIdentity(state.encryption().trustDomain(), n.name())));
        }
        return ids;
    }

    private static List<String> backendIdentities(MeshIndex index, Service s) {
        return index.endpoints(s).stream()
                .map(e -> index.workload(e.workload()).or(() -> index.workloadByIp(e.ip())))
                .flatMap(Optional::stream)
                .map(Workload::identity)
                .distinct()
                .toList();
    }

    /** Issues the SDS secrets of workloads; backed by the mesh CA. */
    public interface CertificateSource {
        Secret trustBundle();

        Secret certificate(String spiffeId);
    }
}
