package io.nodemesh.sim.internal;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One applied state with everything derived from it. Immutable once published, so swapping the reference is the whole
 * of an atomic apply: a connect sees either the old snapshot or the new one, never a mix.
 * <p>
 * A snapshot made {@link #after} the previous one reuses what belongs to services that are the very same objects in
 * both states (their VIP entries, resolved endpoints and Maglev tables), so one changed service in a state of ten
 * thousand costs about what that service costs, not a rebuild of every table.
 */
public final class Snapshot {
    private final MeshState state;
    private final long generation;
    private final int maglevTableSize;
    // Built on first use: an apply must not pay for lookups that only traffic needs.
    private volatile MeshIndex index;
    // Built on first use per service: most services in a big simulated cluster are never Maglev-balanced.
    private final Map<String, FamilyMaglev> maglevTables;
    // Resolving a selector scans every workload; a connect must not pay for that, so each service resolves once.
    private final Map<String, List<Endpoint>> ready;
    // Values are positions in state.services(): a change that keeps every service's position, key, VIPs and ports (an
    // endpoint update, the usual case) shares the previous snapshot's map as it is, at no cost.
    private final Map<VipKey, Integer> byVip;
    private final Map<String, List<Endpoint>> all;
    private final Map<String, List<HttpRoute>> routes = new HashMap<>();
    /** Services whose derived tables were not reused from the previous snapshot (all of them in a fresh one). */
    private final List<Service> rederived;

    private record VipKey(String canonicalIp, int port, Protocol protocol) {}

    /** A snapshot that derives everything afresh. */
    public Snapshot(MeshState state, long generation, int maglevTableSize) {
        this.state = state;
        this.generation = generation;
        this.maglevTableSize = maglevTableSize;
        this.maglevTables = new ConcurrentHashMap<>();
        this.ready = new ConcurrentHashMap<>();
        this.all = new ConcurrentHashMap<>();
        this.byVip = vipsOf(state);
        this.rederived = state.services();
        indexRoutes();
    }

    private Snapshot(Snapshot previous, MeshState state, long generation, ServiceChanges changes) {
        this.state = state;
        this.generation = generation;
        this.maglevTableSize = previous.maglevTableSize;
        this.maglevTables = new ConcurrentHashMap<>(previous.maglevTables);
        this.ready = new ConcurrentHashMap<>(previous.ready);
        this.all = new ConcurrentHashMap<>(previous.all);
        this.byVip = sameAddresses(changes) ? previous.byVip : vipsOf(state);
        for (Service gone : changes.removed()) forget(gone.key());
        List<Service> again = new ArrayList<>(changes.added());
        if (!previous.state.workloads().equals(state.workloads())) {
            // A selector's endpoints come from the workloads: every selecting service resolves again.
            for (Service s : state.services()) {
                if (!s.selector().isEmpty() && changes.kept(s)) {
                    forget(s.key());
                    again.add(s);
                }
            }
        }
        this.rederived = List.copyOf(again);
        indexRoutes();
    }

    /**
     * The snapshot of {@code state} following {@code previous} (both states valid): tables of services that are the
     * same objects in both are carried over, everything else is derived afresh.
     */
    public static Snapshot after(Snapshot previous, MeshState state, long generation) {
        return new Snapshot(
                previous, state, generation, ServiceChanges.between(previous.state.services(), state.services()));
    }

    /** {@link #after(Snapshot, MeshState, long)} with the index of {@code state} already built (by the apply pipeline). */
    public static Snapshot after(Snapshot previous, MeshState state, long generation, MeshIndex index) {
        Snapshot next = after(previous, state, generation);
        next.index = index;
        return next;
    }

    private void forget(String serviceKey) {
        maglevTables.remove(maglevKey(serviceKey, false));
        maglevTables.remove(maglevKey(serviceKey, true));
        ready.remove(serviceKey);
        all.remove(serviceKey);
    }

    private static Map<VipKey, Integer> vipsOf(MeshState state) {
        Map<VipKey, Integer> map = new HashMap<>();
        List<Service> services = state.services();
        for (int i = 0; i < services.size(); i++) {
            Service s = services.get(i);
            for (String vip : s.vips()) {
                for (ServicePort p : s.ports()) map.putIfAbsent(vipKey(vip, p), i);
            }
        }
        return map;
    }

    /** Whether every replaced service kept its position, key, VIPs and ports: then the VIP map is still right. */
    private static boolean sameAddresses(ServiceChanges changes) {
        if (!changes.inPlace()) return false;
        for (int i = 0; i < changes.added().size(); i++) {
            Service old = changes.removed().get(i);
            Service now = changes.added().get(i);
            if (!old.key().equals(now.key())
                    || !old.vips().equals(now.vips())
                    || !old.ports().equals(now.ports())) return false;
        }
        return true;
    }

    private static VipKey vipKey(String vip, ServicePort p) {
        return new VipKey(IpAddresses.canonical(vip), p.port(), p.protocol());
    }

    private void indexRoutes() {
        // Routes are few (one per L7 service at most, usually): regrouping them every time is cheaper than tracking
        // them.
        for (HttpRoute r : state.routes())
            routes.computeIfAbsent(r.service(), k -> new ArrayList<>()).add(r);
    }

    /** {@link MeshIndex#serviceByVip} from a hash map kept per apply. */
    Optional<Service> serviceByVip(String ip, int port, Protocol protocol) {
        Integer at = byVip.get(new VipKey(IpAddresses.canonical(ip), port, protocol));
        return at == null ? Optional.empty() : Optional.of(state.services().get(at));
    }

    /** {@link MeshIndex#readyEndpoints}, resolved once per service (and kept while the service and workloads are). */
    public List<Endpoint> readyEndpoints(Service service) {
        return ready.computeIfAbsent(service.key(), k -> index().readyEndpoints(service));
    }

    /** {@link MeshIndex#endpoints}, every state included, resolved once per service. */
    List<Endpoint> endpoints(Service service) {
        return all.computeIfAbsent(service.key(), k -> index().endpoints(service));
    }

    /** The routes for {@code service}, in state order (the order the node proxy tries their rules in). */
    List<HttpRoute> routesFor(Service service) {
        return routes.getOrDefault(service.key(), List.of());
    }

    /**
     * Services whose derived tables this snapshot could not take over from the previous one: new or changed services,
     * and selecting services when the workloads changed. Checks that depend on a service alone need only these.
     */
    public List<Service> rederived() {
        return rederived;
    }

    public MeshState state() {
        return state;
    }

    public MeshIndex index() {
        MeshIndex i = index;
        if (i == null) {
            // Racing builders make equal indexes of the same immutable state: whichever is kept is right.
            i = MeshIndex.of(state);
            index = i;
        }
        return i;
    }

    public long generation() {
        return generation;
    }

    /**
     * The Maglev table of {@code service}'s ready endpoints of one family (the VIP's, as the kernel's backend set);
     * {@code ready} must be {@link #readyEndpoints} of the service.
     */
    FamilyMaglev maglevTable(Service service, List<Endpoint> ready, boolean v6) {
        // Endpoints out of rotation by health: the kernel gets a table of the rest, built for this pick only.
        if (ready != readyEndpoints(service)) return FamilyMaglev.of(ready, v6, maglevTableSize);
        return maglevTables.computeIfAbsent(
                maglevKey(service.key(), v6), k -> FamilyMaglev.of(ready, v6, maglevTableSize));
    }

    private static String maglevKey(String serviceKey, boolean v6) {
        return serviceKey + (v6 ? " v6" : " v4");
    }
}
