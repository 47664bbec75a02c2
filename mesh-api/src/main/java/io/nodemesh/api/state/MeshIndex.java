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
    // Never changed after construction, so indexes of successive states may share them.
    private final Map<String, Workload> workloadsByKey;
    private final Map<String, Workload> workloadsByIp;
    private final Map<String, Service> servicesByKey;
    /**
     * Services replaced since {@code servicesByKey} was built, which they override: a small change copies this map,
     * not the 10,000 entries of the other. Folded into a new {@code servicesByKey} once it grows past
     * {@code MAX_OVERLAY}.
     */
    private final Map<String, Service> replacedServices;

    private final Map<String, Node> nodesByName;

    /** Above this many replaced services in one step, indexing every service again is as cheap as replacing them. */
    private static final int MAX_REPLACED = 64;
    /** Replaced services kept apart from the full map before it is rebuilt (amortizes one rebuild over this many). */
    private static final int MAX_OVERLAY = 128;

    /** The index of {@code state}, built from scratch. */
    public static MeshIndex of(MeshState state) {
        return new MeshIndex(state, null);
    }

    /**
     * The index of {@code state}, sharing what it can with {@code previous}: the cheap way to index each of a series of
     * states that differ a little, as a backend applies them.
     */
    public static MeshIndex of(MeshState state, MeshIndex previous) {
        return previous != null && previous.state == state ? previous : new MeshIndex(state, previous);
    }

    /**
     * The index of {@code state}, built from {@code previous} (the index of an earlier state) where that is cheaper: lists
     * that are the very same objects share their maps, and a services list that replaced a few services in place
     * (same keys, same order — one endpoint changed) is indexed by replacing those, not by keying 10,000 services again.
     */
    private MeshIndex(MeshState state, MeshIndex previous) {
        this.state = state;
        MeshState before = previous == null ? null : previous.state;
        if (before != null && before.nodes() == state.nodes()) {
            nodesByName = previous.nodesByName;
        } else {
            nodesByName = new LinkedHashMap<>();
            state.nodes().forEach(n -> nodesByName.putIfAbsent(n.name(), n));
        }
        if (before != null && before.workloads() == state.workloads()) {
            workloadsByKey = previous.workloadsByKey;
            workloadsByIp = previous.workloadsByIp;
        } else {
            workloadsByKey = new LinkedHashMap<>();
            workloadsByIp = new HashMap<>();
            for (Workload w : state.workloads()) {
                workloadsByKey.putIfAbsent(w.key(), w);
                w.ips().forEach(ip -> workloadsByIp.putIfAbsent(IpAddresses.canonical(ip), w));
            }
        }
        Map<String, Service> overlay = before == null ? null : replaced(previous, before.services(), state.services());
        if (overlay == null) {
            Map<String, Service> services = new LinkedHashMap<>();
            for (Service s : state.services()) services.putIfAbsent(s.key(), s);
            servicesByKey = services;
            replacedServices = Map.of();
        } else if (overlay.size() > MAX_OVERLAY) {
            Map<String, Service> services = new LinkedHashMap<>(previous.servicesByKey);
            services.putAll(overlay);
            servicesByKey = services;
            replacedServices = Map.of();
        } else {
            servicesByKey = previous.servicesByKey;
            replacedServices = overlay;
        }
    }

    /**
     * The overlay of {@code previous}'s services map that indexes {@code now}, if {@code now} only replaced a few of
     * {@code before}'s services keeping their keys; null when every service must be keyed again.
     */
    private static Map<String, Service> replaced(MeshIndex previous, List<Service> before, List<Service> now) {
        if (before == now) return previous.replacedServices;
        int size = previous.servicesByKey.size();
        if (before.size() != now.size() || size != now.size()) return null; // sizes differ, or duplicate keys
        int[] positions = ReplacedList.replacedSince(before, now);
        Map<String, Service> out = null;
        int replaced = 0;
        if (positions != null) {
            for (int i : positions) {
                if (before.get(i) == now.get(i)) continue;
                if (++replaced > MAX_REPLACED) return null;
                out = replace(out, previous.replacedServices, before.get(i), now.get(i));
                if (out == null) return null;
            }
        } else {
            for (int i = 0; i < now.size(); i++) {
                Service b = before.get(i);
                Service n = now.get(i);
                if (b == n) continue;
                if (++replaced > MAX_REPLACED) return null;
                out = replace(out, previous.replacedServices, b, n);
                if (out == null) return null;
            }
        }
        return out == null ? previous.replacedServices : out;
    }

    /** {@code out} (a copy of {@code overlay} made on first use) with {@code now} in place of {@code before}. */
    private static Map<String, Service> replace(
            Map<String, Service> out, Map<String, Service> overlay, Service before, Service now) {
        String key = now.key();
        if (!key.equals(before.key())) return null;
        Map<String, Service> next = out != null ? out : new HashMap<>(overlay);
        next.put(key, now);
        return next;
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
        Service replaced = replacedServices.get(key);
        return Optional.ofNullable(replaced != null ? replaced : servicesByKey.get(key));
    }

    /** The service that owns {@code vip:port/protocol}, if any. */
    public Optional<Service> serviceByVip(String vip, int port, Protocol protocol) {
        String canonical = IpAddresses.canonical(vip);
        return state.services().stream()
                .filter(s ->
                        s.vips().stream().anyMatch(v -> IpAddresses.canonical(v).equals(canonical)))
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
                .filter(w ->
                        w.labels().entrySet().containsAll(service.selector().entrySet()))
                .flatMap(w -> w.ips().stream().map(ip -> Endpoint.ready(ip, w.key())))
                .toList();
    }

    /** Endpoints that take new connections. */
    public List<Endpoint> readyEndpoints(Service service) {
        return endpoints(service).stream()
                .filter(e -> e.state() == EndpointState.READY)
                .toList();
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
