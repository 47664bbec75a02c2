package io.nodemesh.api.state;

import java.util.List;
import java.util.Map;

/**
 * A service: VIPs and ports that load-balance onto backends.
 * Backends are either listed ({@code endpoints}) or chosen by label ({@code selector}: every workload whose labels match,
 * all ready) — one or the other.
 *
 * @param namespace     namespace
 * @param name          name, unique in its namespace
 * @param vips          virtual IPs clients connect to
 * @param ports         exposed ports
 * @param endpoints     explicit backends (empty when a selector is used)
 * @param selector      label selector (empty when endpoints are listed)
 * @param loadBalancing how a backend is picked
 * @param affinity      client-IP session affinity, or {@link SessionAffinity#NONE}
 * @param l7            whether its traffic must go through the node proxy (HTTP routing, L7 policy)
 */
public record Service(String namespace, String name, List<String> vips, List<ServicePort> ports,
                      List<Endpoint> endpoints, Map<String, String> selector, LoadBalancing loadBalancing,
                      SessionAffinity affinity, boolean l7) {
    public Service {
        vips = Lists.copy(vips);
        ports = Lists.copy(ports);
        endpoints = Lists.copy(endpoints);
        selector = Lists.copy(selector);
        loadBalancing = loadBalancing == null ? LoadBalancing.RANDOM : loadBalancing;
        affinity = affinity == null ? SessionAffinity.NONE : affinity;
    }

    /** {@code namespace/name}, the way routes and policies refer to it. */
    public String key() {
        return namespace + "/" + name;
    }

    public Service withEndpoints(List<Endpoint> newEndpoints) {
        return new Service(namespace, name, vips, ports, newEndpoints, selector, loadBalancing, affinity, l7);
    }

    public Service withLoadBalancing(LoadBalancing lb) {
        return new Service(namespace, name, vips, ports, endpoints, selector, lb, affinity, l7);
    }

    public Service withAffinity(SessionAffinity newAffinity) {
        return new Service(namespace, name, vips, ports, endpoints, selector, loadBalancing, newAffinity, l7);
    }
}
