package io.nodemesh.envoy.internal;

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

    public MeshTranslator(int outboundPort) {
        this.outboundPort = outboundPort;
    }

    /** Resources every node gets. */
    public MeshResources shared(MeshState state) {
        MeshIndex index = state.index();
        List<Cluster> clusters = new ArrayList<>();
        List<ClusterLoadAssignment> endpoints = new ArrayList<>();
        List<RouteConfiguration> routes = new ArrayList<>();
        List<Listener> listeners = new ArrayList<>();
        List<FilterChain> chains = new ArrayList<>();
        clusters.add(ClusterTranslator.passthrough());
        for (Service s : state.services()) {
            List<HttpFilter> rbac = s.l7() ? RbacTranslator.filters(state, s, backendIdentities(index, s)) : List.of();
            boolean first = true;
            for (ServicePort p : s.ports()) {
                if (p.protocol() != Protocol.TCP) continue; // UDP stays on the eBPF path
                clusters.add(ClusterTranslator.cluster(s, p));
                endpoints.add(EndpointTranslator.assignment(index, s, p));
                if (!s.l7()) continue;
                routes.add(RouteTranslator.routeConfiguration(state, s, p));
                chains.add(ListenerTranslator.serviceChain(s, p, rbac));
                listeners.add(ListenerTranslator.api(Names.route(s, p), s, p));
                // The bare host (no port) names the service's first port, as xds:///name.namespace does.
                if (first) listeners.add(ListenerTranslator.api(Names.host(s), s, p));
                first = false;
            }
        }
        listeners.addFirst(ListenerTranslator.outbound(state, outboundPort, chains));
        return new MeshResources(clusters, endpoints, listeners, routes, List.of());
    }

    /** {@code shared} plus the gRPC server listeners of the backends on {@code node} and its workloads' secrets. */
    public MeshResources forNode(MeshState state, String node, MeshResources shared, CertificateSource certificates) {
        MeshIndex index = state.index();
        boolean mtls = state.encryption().mode() == EncryptionSpec.Mode.MTLS;
        List<Listener> listeners = new ArrayList<>(shared.listeners());
        Map<Integer, Map<String, ListenerTranslator.ServedAddress>> byPort = new java.util.TreeMap<>();
        for (Service s : state.services()) {
            if (!s.l7()) continue;
            List<HttpFilter> rbac = null;
            for (Endpoint e : index.endpoints(s)) {
                if (e.state() == EndpointState.NOT_READY) continue;
                Optional<Workload> w = index.workload(e.workload()).or(() -> index.workloadByIp(e.ip()));
                if (w.isEmpty() || !w.get().node().equals(node)) continue;
                if (rbac == null) rbac = RbacTranslator.filters(state, s, backendIdentities(index, s));
                for (ServicePort p : s.ports()) {
                    // Two services on the same backend address and port share its chain; the first one's policy wins.
                    byPort.computeIfAbsent(p.targetPort(), k -> new java.util.LinkedHashMap<>()).putIfAbsent(
                            io.nodemesh.api.state.IpAddresses.canonical(e.ip()),
                            new ListenerTranslator.ServedAddress(e.ip(), Names.host(s), rbac, mtls ? w.get().identity() : null));
                }
            }
        }
        byPort.forEach((port, served) -> listeners.add(ListenerTranslator.grpcServer(port, List.copyOf(served.values()))));
        List<Secret> secrets = new ArrayList<>();
        if (mtls) {
            secrets.add(certificates.trustBundle());
            Map<String, Boolean> identities = new HashMap<>();
            for (Workload w : state.workloads()) {
                if (w.node().equals(node) && identities.putIfAbsent(w.identity(), true) == null) {
                    secrets.add(certificates.certificate(w.identity()));
                }
            }
        }
        return new MeshResources(shared.clusters(), shared.endpoints(), listeners, shared.routes(), secrets);
    }

    private static List<String> backendIdentities(MeshIndex index, Service s) {
        return index.endpoints(s).stream()
                .map(e -> index.workload(e.workload()).or(() -> index.workloadByIp(e.ip())))
                .flatMap(Optional::stream).map(Workload::identity).distinct().toList();
    }

    /** Issues the SDS secrets of workloads; backed by the mesh CA. */
    public interface CertificateSource {
        Secret trustBundle();

        Secret certificate(String spiffeId);
    }
}
