package io.nodemesh.envoy.internal.translate;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Workload;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A service port's endpoints, grouped by locality = the node the backend runs on ("" for addresses outside the mesh).
 * Ready endpoints are HEALTHY; terminating ones are sent as DRAINING, so proxies stop giving them new requests but let
 * the ones in flight finish; not-ready ones are left out.
 */
final class EndpointTranslator {
    /** Region label of every locality: nodemesh has one cluster, so the node is the locality's zone. */
    static final String REGION = "nodemesh";

    private EndpointTranslator() {}

    static ClusterLoadAssignment assignment(MeshIndex index, Service s, ServicePort p) {
        Map<String, LocalityLbEndpoints.Builder> byNode = new LinkedHashMap<>();
        var healthCheckConfig = ResilienceTranslator.healthCheckPort(s, p)
                .map(port -> io.envoyproxy.envoy.config.endpoint.v3.Endpoint.HealthCheckConfig.newBuilder()
                        .setPortValue(port)
                        .build());
        for (Endpoint e : index.endpoints(s)) {
            if (e.state() == EndpointState.NOT_READY) continue;
            String node = index.workload(e.workload())
                    .map(Workload::node)
                    .or(() -> index.workloadByIp(e.ip()).map(Workload::node))
                    .orElse("");
            var locality = byNode.computeIfAbsent(
                    node,
                    n -> LocalityLbEndpoints.newBuilder()
                            .setLocality(Locality.newBuilder().setRegion(REGION).setZone(n)));
            var endpoint = io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                    .setAddress(address(e.ip(), p.targetPort()));
            // A health check of another port of the service probes that port's target port.
            healthCheckConfig.ifPresent(endpoint::setHealthCheckConfig);
            locality.addLbEndpoints(LbEndpoint.newBuilder()
                    .setHealthStatus(e.state() == EndpointState.READY ? HealthStatus.HEALTHY : HealthStatus.DRAINING)
                    .setEndpoint(endpoint));
        }
        var cla = ClusterLoadAssignment.newBuilder().setClusterName(Names.cluster(s.key(), p.port()));
        for (var locality : byNode.values()) {
            // gRPC drops localities without a weight; weigh each by how many endpoints take new requests in it.
            long ready = locality.getLbEndpointsList().stream()
                    .filter(l -> l.getHealthStatus() == HealthStatus.HEALTHY)
                    .count();
            cla.addEndpoints(
                    locality.setLoadBalancingWeight(com.google.protobuf.UInt32Value.of((int) Math.max(1, ready))));
        }
        return cla.build();
    }

    static Address address(String ip, int port) {
        return Address.newBuilder()
                .setSocketAddress(SocketAddress.newBuilder()
                        .setAddress(IpAddresses.canonical(ip))
                        .setPortValue(port))
                .build();
    }
}
