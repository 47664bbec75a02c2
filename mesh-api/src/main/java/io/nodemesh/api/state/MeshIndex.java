package io.nodemesh.api.state;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lookups over one {@link MeshState} and the mesh's reference semantics: which endpoints a service has, and whether
 * policy lets a connection through. Every backend implements exactly these semantics; the simulator calls them directly.
 */
public final class MeshIndex {
    private final MeshState state;
    private final Map<String, Workload> workloadsByKey = new LinkedHashMap<>();
    private final Map<String, Workload> workloadsByIp = new HashMap<>();
    private final Map<String, Service> servicesByKey = new LinkedHashMap<>();
    private final Map<String, Node> nodesByName = new LinkedHashMap<>();

    MeshIndex(MeshState state) {
        this.state = state;
        state.nodes().forEach(n -> nodesByName.putIfAbsent(n.name(), n));
        for (Workload w : state.workloads()) {
            workloadsByKey.putIfAbsent(w.key(), w);
            w.ips().forEach(ip -> workloadsByIp.putIfAbsent(IpAddresses.canonical(ip), w));
        }
        state.services().forEach(s -> servicesByKey.putIfAbsent(s.key(), s));
    }

    public MeshState state() {
        return state;
    }

    public Optional<Node> node(String name) {
        return Optional.ofNullable(nodesByName.get(name));
    }

    public Optional<Workload> workload(String key) {
        return Optional.ofNullable(workloadsByKey.get(key));
    }

    public Optional<Workload> workloadByIp(String ip) {
        return Optional.ofNullable(workloadsByIp.get(IpAddresses.canonical(ip)));
    }

    public Optional<Service> service(String key) {
        return Optional.ofNullable(servicesByKey.get(key));
    }

    /** The service that owns {@code vip:port/protocol}, if any. */
    public Optional<Service> serviceByVip(String vip, int port, Protocol protocol) {
        String canonical = IpAddresses.canonical(vip);
        return state.services().stream()
                .filter(s -> s.vips().stream().anyMatch(v -> IpAddresses.canonical(v).equals(canonical)))
                .filter(s -> s.ports().stream().anyMatch(p -> p.port() == port && p.protocol() == protocol))
                .findFirst();
    }

    /**
     * A service's endpoints: the listed ones, or one ready endpoint per address of every workload its selector matches
     * (in workload order, so every backend sees the same order).
     */
    public List<Endpoint> endpoints(Service service) {
        if (service.selector().isEmpty()) return service.endpoints();
        return state.workloads().stream()
                .filter(w -> w.labels().entrySet().containsAll(service.selector().entrySet()))
                .flatMap(w -> w.ips().stream().map(ip -> Endpoint.ready(ip, w.key())))
                .toList();
    }

    /** Endpoints that take new connections. */
    public List<Endpoint> readyEndpoints(Service service) {
        return endpoints(service).stream().filter(e -> e.state() == EndpointState.READY).toList();
    }

    /** The identity of whatever has {@code ip}: its workload's, or {@link Identities#HOST} for an address outside every workload. */
    public String identityOf(String ip) {
        return workloadByIp(ip).map(Workload::identity).orElse(Identities.HOST);
    }

    /**
     * Whether policy lets a connection from {@code sourceIdentity} reach {@code destinationIdentity} on {@code port}
     * (the destination's own port), addressed through {@code service} ({@code namespace/name}, or empty when it was
     * addressed directly). See {@link Policy} for the rules.
     */
    public boolean allows(String sourceIdentity, String destinationIdentity, String service, int port) {
        boolean selected = false;
        boolean allowed = false;
        for (Policy p : state.policies()) {
            if (p.matches(sourceIdentity, destinationIdentity, service, port)) {
                if (p.action() == PolicyAction.DENY) return false;
                allowed = true;
            }
            if (p.action() == PolicyAction.ALLOW && p.selects(destinationIdentity, service)) selected = true;
        }
        return allowed || !selected;
    }
}
