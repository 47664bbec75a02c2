package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A Service and its EndpointSlices become a mesh {@link Service}: cluster IPs are the VIPs, slice endpoints the
 * backends (ready, or terminating: keeps its connections, gets no new ones). Headless and ExternalName services have no
 * VIP to translate and are left out, as are SCTP ports and FQDN slices.
 */
final class ServiceReader {
    /** {@code random}, {@code round-robin} or {@code maglev}. */
    static final String LOAD_BALANCING_ANNOTATION = "nodemesh.io/load-balancing";
    /** {@code "true"} sends the service's traffic through the node proxy (also implied by a MeshHttpRoute). */
    static final String L7_ANNOTATION = "nodemesh.io/l7";
    /** The label that ties an EndpointSlice to its Service. */
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private static final int DEFAULT_AFFINITY_SECONDS = 10800; // Kubernetes' default for ClientIP affinity

    private ServiceReader() {}

    static Optional<Service> read(
            io.fabric8.kubernetes.api.model.Service svc, List<EndpointSlice> slices, boolean routed) {
        return read(svc, slices, routed, false);
    }

    /**
     * With {@code grpc} (the service is a backend of a GRPCRoute) TCP ports that declare no application protocol
     * carry gRPC: the route says what its backends speak, and gRPC needs HTTP/2 connections to them.
     */
    static Optional<Service> read(
            io.fabric8.kubernetes.api.model.Service svc, List<EndpointSlice> slices, boolean routed, boolean grpc) {
        var spec = svc.getSpec();
        if (spec == null || "ExternalName".equals(spec.getType())) return Optional.empty();
        List<String> vips = new ArrayList<>();
        if (spec.getClusterIPs() != null) vips.addAll(spec.getClusterIPs());
        if (spec.getClusterIP() != null && !vips.contains(spec.getClusterIP())) vips.add(spec.getClusterIP());
        vips.removeIf(ip -> ip == null || ip.isEmpty() || ip.equals("None"));
        if (vips.isEmpty()) return Optional.empty();

        List<ServicePort> ports = new ArrayList<>();
        if (spec.getPorts() != null) {
            for (var p : spec.getPorts()) {
                Protocol protocol = protocol(p.getProtocol());
                if (protocol == null || p.getPort() == null) continue;
                String name = p.getName() == null ? "" : p.getName();
                ports.add(new ServicePort(
                        name,
                        p.getPort(),
                        targetPort(name, protocol, p.getTargetPort(), p.getPort(), slices),
                        protocol,
                        grpc && protocol == Protocol.TCP && p.getAppProtocol() == null
                                ? io.nodemesh.api.state.AppProtocol.GRPC
                                : AppProtocols.of(p.getAppProtocol(), protocol)));
            }
        }
        var meta = svc.getMetadata();
        Map<String, String> annotations = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
        boolean l7 = routed || "true".equalsIgnoreCase(annotations.get(L7_ANNOTATION));
        return Optional.of(new Service(
                        meta.getNamespace(),
                        meta.getName(),
                        vips,
                        ports,
                        endpoints(slices),
                        Map.of(),
                        loadBalancing(annotations.get(LOAD_BALANCING_ANNOTATION)),
                        affinity(spec),
                        l7 ? ServiceLayer.L7 : ServiceLayer.L4)
                .withLocality(ServiceLocality.of(spec, annotations.get(ServiceLocality.ANNOTATION))));
    }

    private static List<Endpoint> endpoints(List<EndpointSlice> slices) {
        Map<String, Endpoint> byIp = new LinkedHashMap<>();
        for (EndpointSlice slice : slices) {
            if ("FQDN".equals(slice.getAddressType()) || slice.getEndpoints() == null) continue;
            for (var e : slice.getEndpoints()) {
                if (e.getAddresses() == null) continue;
                String workload = "";
                var ref = e.getTargetRef();
                if (ref != null && "Pod".equals(ref.getKind()) && ref.getName() != null) {
                    workload = (ref.getNamespace() == null ? slice.getMetadata().getNamespace() : ref.getNamespace())
                            + "/" + ref.getName();
                }
                EndpointState state = state(e.getConditions());
                for (String ip : e.getAddresses()) {
                    Endpoint candidate = new Endpoint(ip, workload, state);
                    // The same address can sit in two slices while the controller moves it: the readiest wins.
                    byIp.merge(
                            ip,
                            candidate,
                            (a, b) -> b.state().ordinal() < a.state().ordinal() ? b : a);
                }
            }
        }
        return new ArrayList<>(byIp.values());
    }

    private static EndpointState state(EndpointConditions c) {
        if (c == null) return EndpointState.READY;
        if (Boolean.TRUE.equals(c.getTerminating())) return EndpointState.TERMINATING;
        // A nil ready means unknown, which the API asks consumers to treat as ready.
        return Boolean.FALSE.equals(c.getReady()) ? EndpointState.NOT_READY : EndpointState.READY;
    }

    /** The slices carry the resolved target port under the service port's name; a named targetPort needs them. */
    private static int targetPort(
            String name, Protocol protocol, IntOrString target, int port, List<EndpointSlice> slices) {
        for (EndpointSlice slice : slices) {
            if (slice.getPorts() == null) continue;
            for (EndpointPort ep : slice.getPorts()) {
                String epName = ep.getName() == null ? "" : ep.getName();
                if (epName.equals(name) && protocol == protocol(ep.getProtocol()) && ep.getPort() != null)
                    return ep.getPort();
            }
        }
        if (target != null && target.getIntVal() != null && target.getIntVal() > 0) return target.getIntVal();
        return port;
    }

    private static Protocol protocol(String p) {
        if (p == null || p.equals("TCP")) return Protocol.TCP;
        return p.equals("UDP") ? Protocol.UDP : null;
    }

    private static LoadBalancing loadBalancing(String value) {
        if (value == null) return LoadBalancing.RANDOM;
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "maglev" -> LoadBalancing.MAGLEV;
            case "round-robin", "roundrobin", "round_robin" -> LoadBalancing.ROUND_ROBIN;
            default -> LoadBalancing.RANDOM;
        };
    }

    private static SessionAffinity affinity(io.fabric8.kubernetes.api.model.ServiceSpec spec) {
        if (!"ClientIP".equals(spec.getSessionAffinity())) return SessionAffinity.NONE;
        int seconds = DEFAULT_AFFINITY_SECONDS;
        var config = spec.getSessionAffinityConfig();
        if (config != null
                && config.getClientIP() != null
                && config.getClientIP().getTimeoutSeconds() != null) {
            seconds = config.getClientIP().getTimeoutSeconds();
        }
        return SessionAffinity.clientIp(Duration.ofSeconds(seconds));
    }
}
