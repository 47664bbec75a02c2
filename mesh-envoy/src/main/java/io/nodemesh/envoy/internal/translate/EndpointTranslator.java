package io.nodemesh.envoy.internal.translate;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.nodemesh.api.lb.ClosestEndpoints;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A service port's endpoints, grouped by locality: region {@value #REGION}, the node's zone (the node itself when it has
 * none), sub-zone the node ("" for addresses outside the mesh); and, for a node of a service with a {@link io.nodemesh.api.state.Locality},
 * by priority.
 * Ready endpoints are HEALTHY; terminating ones are sent as DRAINING, so proxies stop giving them new requests but let
 * the ones in flight finish; not-ready ones are left out.
 */
final class EndpointTranslator {
    /** Region label of every locality: nodemesh has one cluster. */
    static final String REGION = "nodemesh";

    private EndpointTranslator() {}

    /**
     * Envoy spreads load over priorities by health: a priority with a fraction h of its endpoints healthy takes
     * min(1, h × factor / 100) of it. A factor this large lets one healthy endpoint hold all of it, so the next priority
     * is used only when every endpoint of the ones before it is down: {@link io.nodemesh.api.state.Locality}'s overflow, as in the kernel.
     */
    static final int OVERPROVISIONING_FACTOR = 1_000_000;

    /** The assignment every node gets: all endpoints at priority 0. */
    static ClusterLoadAssignment assignment(MeshIndex index, Service s, ServicePort p) {
        return assignment(index, s, p, null);
    }

    /**
     * The assignment of a node proxy (or proxyless client) on {@code clientNode}: endpoints in the priorities of the
     * service's {@link io.nodemesh.api.state.Locality} as seen from there ({@link ClosestEndpoints#tier}), those it may not use left out;
     * null {@code clientNode} puts every endpoint at priority 0.
     */
    static ClusterLoadAssignment assignment(MeshIndex index, Service s, ServicePort p, String clientNode) {
        Map<String, LocalityLbEndpoints.Builder> byTierAndNode = new LinkedHashMap<>();
        var healthCheckConfig = ResilienceTranslator.healthCheckPort(s, p)
                .map(port -> io.envoyproxy.envoy.config.endpoint.v3.Endpoint.HealthCheckConfig.newBuilder()
                        .setPortValue(port)
                        .build());
        for (Endpoint e : index.endpoints(s)) {
            if (e.state() == EndpointState.NOT_READY) continue;
            int tier = clientNode == null
                    ? 0
                    : ClosestEndpoints.tier(s.locality(), ClosestEndpoints.proximity(index, e, clientNode));
            if (tier == ClosestEndpoints.EXCLUDED) continue;
            String node = ClosestEndpoints.nodeOf(index, e).orElse("");
            var locality = byTierAndNode.computeIfAbsent(
                    tier + "/" + node,
                    k -> LocalityLbEndpoints.newBuilder()
                            .setPriority(tier)
                            .setLocality(Locality.newBuilder()
                                    .setRegion(REGION)
                                    .setZone(zone(index, node))
                                    .setSubZone(node)));
            var endpoint = io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                    .setAddress(address(e.ip(), p.targetPort()));
            // A health check of another port of the service probes that port's target port.
            healthCheckConfig.ifPresent(endpoint::setHealthCheckConfig);
            locality.addLbEndpoints(LbEndpoint.newBuilder()
                    .setHealthStatus(e.state() == EndpointState.READY ? HealthStatus.HEALTHY : HealthStatus.DRAINING)
                    .setEndpoint(endpoint));
        }
        var cla = ClusterLoadAssignment.newBuilder().setClusterName(Names.cluster(s.key(), p.port()));
        if (clientNode != null)
            cla.setPolicy(ClusterLoadAssignment.Policy.newBuilder()
                    .setOverprovisioningFactor(com.google.protobuf.UInt32Value.of(OVERPROVISIONING_FACTOR)));
        // Priorities must be listed without a gap from 0, whichever tiers have endpoints.
        var tiers = new java.util.TreeSet<Integer>();
        byTierAndNode.values().forEach(l -> tiers.add(l.getPriority()));
        var renumbered = new java.util.HashMap<Integer, Integer>();
        for (int t : tiers) renumbered.put(t, renumbered.size());
        for (var locality : byTierAndNode.values()) {
            // gRPC drops localities without a weight; weigh each by how many endpoints take new requests in it.
            long ready = locality.getLbEndpointsList().stream()
                    .filter(l -> l.getHealthStatus() == HealthStatus.HEALTHY)
                    .count();
            cla.addEndpoints(locality.setPriority(renumbered.get(locality.getPriority()))
                    .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of((int) Math.max(1, ready))));
        }
        return cla.build();
    }

    /** A node's zone, or the node itself when it names none (then each node is a zone of its own, as before). */
    private static String zone(MeshIndex index, String node) {
        return index.node(node)
                .map(io.nodemesh.api.state.Node::zone)
                .filter(z -> !z.isEmpty())
                .orElse(node);
    }

    static Address address(String ip, int port) {
        return Address.newBuilder()
                .setSocketAddress(SocketAddress.newBuilder()
                        .setAddress(IpAddresses.canonical(ip))
                        .setPortValue(port))
                .build();
    }
}
