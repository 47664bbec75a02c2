package io.nodemesh.sim.internal;

import io.nodemesh.api.lb.Maglev;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One applied state with everything derived from it. Immutable once published, so swapping the reference is the whole
 * of an atomic apply: a connect sees either the old snapshot or the new one, never a mix.
 */
public final class Snapshot {
    private final MeshState state;
    private final MeshIndex index;
    private final long generation;
    private final int maglevTableSize;
    // Built on first use per service: most services in a big simulated cluster are never Maglev-balanced.
    private final Map<String, int[]> maglevTables = new ConcurrentHashMap<>();
    // Resolving a selector scans every workload; a connect must not pay for that, so each service resolves once.
    private final Map<String, List<Endpoint>> ready = new ConcurrentHashMap<>();
    private final Map<VipKey, Service> byVip = new HashMap<>();
    private final Map<String, List<Endpoint>> all = new ConcurrentHashMap<>();
    private final Map<String, List<HttpRoute>> routes = new HashMap<>();

    private record VipKey(String canonicalIp, int port, Protocol protocol) {}

    public Snapshot(MeshState state, long generation, int maglevTableSize) {
        this.state = state;
        this.index = state.index();
        this.generation = generation;
        this.maglevTableSize = maglevTableSize;
        for (Service s : state.services()) {
            for (String vip : s.vips()) {
                for (ServicePort p : s.ports()) {
                    byVip.putIfAbsent(new VipKey(IpAddresses.canonical(vip), p.port(), p.protocol()), s);
                }
            }
        }
        for (HttpRoute r : state.routes()) routes.computeIfAbsent(r.service(), k -> new ArrayList<>()).add(r);
    }

    /** {@link MeshIndex#serviceByVip} from a hash map built once per apply. */
    Optional<Service> serviceByVip(String ip, int port, Protocol protocol) {
        return Optional.ofNullable(byVip.get(new VipKey(IpAddresses.canonical(ip), port, protocol)));
    }

    /** {@link MeshIndex#readyEndpoints}, resolved once per service per apply. */
    List<Endpoint> readyEndpoints(Service service) {
        return ready.computeIfAbsent(service.key(), k -> index.readyEndpoints(service));
    }

    /** {@link MeshIndex#endpoints}, every state included, resolved once per service per apply. */
    List<Endpoint> endpoints(Service service) {
        return all.computeIfAbsent(service.key(), k -> index.endpoints(service));
    }

    /** The routes for {@code service}, in state order (the order the node proxy tries their rules in). */
    List<HttpRoute> routesFor(Service service) {
        return routes.getOrDefault(service.key(), List.of());
    }

    public MeshState state() {
        return state;
    }

    public MeshIndex index() {
        return index;
    }

    public long generation() {
        return generation;
    }

    /** The Maglev table of {@code service} over its ready endpoints (named by address, in endpoint order). */
    int[] maglevTable(Service service, List<Endpoint> ready) {
        return maglevTables.computeIfAbsent(service.key(),
                k -> Maglev.table(ready.stream().map(Endpoint::ip).toList(), maglevTableSize));
    }
}
