package io.nodemesh.api.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service: VIPs and ports that load-balance onto backends.
 * Backends are either listed ({@code endpoints}) or chosen by label ({@code selector}: every workload whose labels match,
 * all ready) — one or the other. Build one with {@link #builder(String, String)}.
 *
 * @param namespace     namespace
 * @param name          name, unique in its namespace
 * @param vips          virtual IPs clients connect to
 * @param ports         exposed ports
 * @param endpoints     explicit backends (empty when a selector is used)
 * @param selector      label selector (empty when endpoints are listed)
 * @param loadBalancing how a backend is picked
 * @param affinity      client-IP session affinity, or {@link SessionAffinity#NONE}
 * @param layer         {@link ServiceLayer#L7} when its traffic must go through the node proxy (HTTP routing, L7 policy)
 * @param resilience    health checks, outlier detection, circuit breakers and timeouts, or {@link Resilience#NONE}
 * @param locality      which endpoints a client prefers by where they run, {@link Locality#ANY} by default
 */
public record Service(
        String namespace,
        String name,
        List<String> vips,
        List<ServicePort> ports,
        List<Endpoint> endpoints,
        Map<String, String> selector,
        LoadBalancing loadBalancing,
        SessionAffinity affinity,
        ServiceLayer layer,
        Resilience resilience,
        Locality locality)
        implements NamespacedObject {
    public Service {
        vips = Lists.copy(vips);
        ports = Lists.copy(ports);
        endpoints = Lists.copy(endpoints);
        selector = Lists.copy(selector);
        loadBalancing = loadBalancing == null ? LoadBalancing.RANDOM : loadBalancing;
        affinity = affinity == null ? SessionAffinity.NONE : affinity;
        layer = layer == null ? ServiceLayer.L4 : layer;
        resilience = resilience == null ? Resilience.NONE : resilience;
        locality = locality == null ? Locality.ANY : locality;
    }

    /** A service whose clients use every ready endpoint ({@link Locality#ANY}). */
    public Service(
            String namespace,
            String name,
            List<String> vips,
            List<ServicePort> ports,
            List<Endpoint> endpoints,
            Map<String, String> selector,
            LoadBalancing loadBalancing,
            SessionAffinity affinity,
            ServiceLayer layer,
            Resilience resilience) {
        this(
                namespace,
                name,
                vips,
                ports,
                endpoints,
                selector,
                loadBalancing,
                affinity,
                layer,
                resilience,
                Locality.ANY);
    }

    /** A service without {@link Resilience}: every ready endpoint is picked, nothing is limited. */
    public Service(
            String namespace,
            String name,
            List<String> vips,
            List<ServicePort> ports,
            List<Endpoint> endpoints,
            Map<String, String> selector,
            LoadBalancing loadBalancing,
            SessionAffinity affinity,
            ServiceLayer layer) {
        this(namespace, name, vips, ports, endpoints, selector, loadBalancing, affinity, layer, Resilience.NONE);
    }

    public static Builder builder(String namespace, String name) {
        return new Builder(namespace, name);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether its traffic goes through the node proxy. */
    public boolean l7() {
        return layer == ServiceLayer.L7;
    }

    public Service withEndpoints(List<Endpoint> newEndpoints) {
        return toBuilder().endpoints(newEndpoints).build();
    }

    public Service withLoadBalancing(LoadBalancing lb) {
        return toBuilder().loadBalancing(lb).build();
    }

    public Service withResilience(Resilience r) {
        return toBuilder().resilience(r).build();
    }

    public Service withLocality(Locality l) {
        return toBuilder().locality(l).build();
    }

    public Service withAffinity(SessionAffinity newAffinity) {
        return toBuilder().affinity(newAffinity).build();
    }

    /** Collects a service's fields; {@link #build()} may be called more than once. */
    public static final class Builder {
        private final String namespace;
        private final String name;
        private final List<String> vips = new ArrayList<>();
        private final List<ServicePort> ports = new ArrayList<>();
        private final List<Endpoint> endpoints = new ArrayList<>();
        private final Map<String, String> selector = new LinkedHashMap<>();
        private LoadBalancing loadBalancing = LoadBalancing.RANDOM;
        private SessionAffinity affinity = SessionAffinity.NONE;
        private ServiceLayer layer = ServiceLayer.L4;
        private Resilience resilience = Resilience.NONE;
        private Locality locality = Locality.ANY;

        private Builder(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        private Builder(Service s) {
            this(s.namespace, s.name);
            vips.addAll(s.vips);
            ports.addAll(s.ports);
            endpoints.addAll(s.endpoints);
            selector.putAll(s.selector);
            loadBalancing = s.loadBalancing;
            affinity = s.affinity;
            layer = s.layer;
            resilience = s.resilience;
            locality = s.locality;
        }

        public Builder vip(String vip) {
            vips.add(vip);
            return this;
        }

        public Builder vips(List<String> all) {
            vips.clear();
            vips.addAll(all);
            return this;
        }

        public Builder port(ServicePort port) {
            ports.add(port);
            return this;
        }
        /** A TCP port, {@code port} on the VIP to {@code targetPort} on the backends. */
        public Builder tcp(int port, int targetPort) {
            return port(ServicePort.tcp(port, targetPort));
        }

        /** A TCP port carrying {@code appProtocol} (HTTP/2 and gRPC make the node proxy speak HTTP/2 upstream). */
        public Builder tcp(int port, int targetPort, AppProtocol appProtocol) {
            return port(ServicePort.tcp(port, targetPort, appProtocol));
        }

        public Builder udp(int port, int targetPort) {
            return port(ServicePort.udp(port, targetPort));
        }

        public Builder ports(List<ServicePort> all) {
            ports.clear();
            ports.addAll(all);
            return this;
        }

        public Builder endpoint(Endpoint endpoint) {
            endpoints.add(endpoint);
            return this;
        }
        /** A ready backend at {@code ip}, the address of workload {@code workload} ({@code namespace/name}, or empty). */
        public Builder endpoint(String ip, String workload) {
            return endpoint(Endpoint.ready(ip, workload));
        }

        public Builder endpoints(List<Endpoint> all) {
            endpoints.clear();
            endpoints.addAll(all);
            return this;
        }

        public Builder select(String label, String value) {
            selector.put(label, value);
            return this;
        }

        public Builder selector(Map<String, String> all) {
            selector.clear();
            selector.putAll(all);
            return this;
        }

        public Builder loadBalancing(LoadBalancing lb) {
            loadBalancing = lb;
            return this;
        }

        public Builder affinity(SessionAffinity a) {
            affinity = a;
            return this;
        }
        /** Client-IP affinity that lasts {@code timeout} of idleness. */
        public Builder clientIpAffinity(Duration timeout) {
            return affinity(SessionAffinity.clientIp(timeout));
        }

        public Builder layer(ServiceLayer l) {
            layer = l;
            return this;
        }

        public Builder resilience(Resilience r) {
            resilience = r == null ? Resilience.NONE : r;
            return this;
        }

        /** Probes every endpoint actively; null removes the check. */
        public Builder healthCheck(HealthCheck check) {
            resilience = resilience.withHealthCheck(check);
            return this;
        }

        /** Ejects endpoints that fail real traffic; null removes the detection. */
        public Builder outlierDetection(OutlierDetection detection) {
            resilience = resilience.withOutlierDetection(detection);
            return this;
        }

        /** Limits the node proxy's connections and requests to the service; null removes the limits. */
        public Builder circuitBreakers(CircuitBreakers breakers) {
            resilience = resilience.withCircuitBreakers(breakers);
            return this;
        }

        public Builder timeouts(ConnectionTimeouts timeouts) {
            resilience = resilience.withTimeouts(timeouts);
            return this;
        }

        /** How long opening a connection to an endpoint may take (zero: the dataplane's default). */
        public Builder connectTimeout(Duration timeout) {
            return timeouts(
                    new ConnectionTimeouts(timeout, resilience.timeouts().idle()));
        }

        /** How long a connection may stay idle (zero: the dataplane's default). */
        public Builder idleTimeout(Duration timeout) {
            return timeouts(new ConnectionTimeouts(resilience.timeouts().connect(), timeout));
        }

        public Builder locality(Locality l) {
            locality = l == null ? Locality.ANY : l;
            return this;
        }

        public Service build() {
            return new Service(
                    namespace,
                    name,
                    vips,
                    ports,
                    endpoints,
                    selector,
                    loadBalancing,
                    affinity,
                    layer,
                    resilience,
                    locality);
        }
    }
}
