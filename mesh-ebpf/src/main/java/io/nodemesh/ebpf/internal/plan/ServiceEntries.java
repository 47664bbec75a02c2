package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.lb.Maglev;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Workload;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;

/**
 * nm_services, nm_backends and nm_maglev. Each Service has one service id (policy, flows) and one backend set per
 * address family that has a VIP: a v4 VIP picks among the IPv4 ready endpoints, a v6 VIP among the IPv6 ones, since a
 * socket can only be redirected to an address of its own family.
 */
final class ServiceEntries {
    /** The two address families, as used in backend-set keys. */
    enum Family {
        V4("v4"), V6("v6");

        final String tag;

        Family(String tag) {
            this.tag = tag;
        }

        static Family of(String literal) {
            return Addresses.isV4(literal) ? V4 : V6;
        }
    }

    private final IdAllocator serviceIds;
    private final IdAllocator backendSetIds;
    private final Map<String, List<String>> slots = new HashMap<>();

    ServiceEntries(MeshState state, PlanLimits limits, Allocations previous) {
        serviceIds = new IdAllocator("service", 1, limits.maxServices(), previous.services());
        backendSetIds = new IdAllocator("backend set", 1, limits.backendSets() - 1, previous.backendSets());
        Set<String> keys = new LinkedHashSet<>();
        Set<String> setKeys = new LinkedHashSet<>();
        for (Service s : state.services()) {
            if (!keys.add(s.key())) continue;
            for (Family f : families(s)) setKeys.add(setKey(s, f));
        }
        serviceIds.keep(keys);
        backendSetIds.keep(setKeys);
        keys.forEach(serviceIds::id);
        setKeys.forEach(backendSetIds::id);
    }

    static String setKey(Service s, Family f) {
        return s.key() + "|" + f.tag;
    }

    static Set<Family> families(Service s) {
        Set<Family> families = new LinkedHashSet<>();
        for (String vip : s.vips()) if (IpAddresses.isValid(vip)) families.add(Family.of(vip));
        return families;
    }

    /** The service id of {@code key}, or 0 for a service the state does not have. */
    int serviceId(String key) {
        return serviceIds.assigned().getOrDefault(key, 0);
    }

    Map<String, Integer> serviceIdsAssigned() {
        return serviceIds.assigned();
    }

    Map<String, Integer> backendSetsAssigned() {
        return backendSetIds.assigned();
    }

    Map<String, List<String>> slots() {
        return Map.copyOf(slots);
    }

    /** The ready endpoint addresses of {@code s} in family {@code f}, canonical and distinct, in the state's order. */
    static List<String> readyAddresses(MeshIndex index, Service s, Family f) {
        return SlotAssigner.distinct(index.readyEndpoints(s).stream()
                .map(Endpoint::ip)
                .filter(IpAddresses::isValid)
                .filter(ip -> Family.of(ip) == f)
                .map(IpAddresses::canonical)
                .toList());
    }

    void entries(MeshState state, String node, IdentityEntries identities, PlanLimits limits, Allocations previous,
                 NavigableMap<Bytes, Bytes> services, NavigableMap<Bytes, Bytes> backends, NavigableMap<Bytes, Bytes> maglev) {
        MeshIndex index = state.index();
        Set<String> done = new java.util.HashSet<>();
        for (Service s : state.services()) {
            if (!done.add(s.key())) continue;
            int serviceId = serviceIds.id(s.key());
            for (Family f : families(s)) {
                String setKey = setKey(s, f);
                int set = backendSetIds.id(setKey);
                List<String> order = SlotAssigner.assign(previous.slots().getOrDefault(setKey, List.of()),
                        readyAddresses(index, s, f));
                slots.put(setKey, order);
                for (int slot = 0; slot < order.size(); slot++) {
                    backends.put(Encode.backendKey(set, slot), backendValue(index, s, order.get(slot), node, identities));
                }
                boolean useMaglev = s.loadBalancing() == LoadBalancing.MAGLEV && !order.isEmpty();
                if (useMaglev) {
                    int[] table = Maglev.table(order, limits.maglevTableSize());
                    for (int i = 0; i < table.length; i++) maglev.put(Encode.maglevKey(set, i), Encode.u32(table[i]));
                }
                for (String vip : s.vips()) {
                    if (!IpAddresses.isValid(vip) || Family.of(vip) != f) continue;
                    byte[] vipBytes = Addresses.toKernel(vip);
                    for (ServicePort port : s.ports()) {
                        var value = new Encode.ServiceValue(serviceId, set, order.size(), affinitySeconds(s),
                                useMaglev ? limits.maglevTableSize() : 0, port.targetPort(), lb(s.loadBalancing()), flags(s));
                        services.putIfAbsent(Encode.serviceKey(vipBytes, port.port(), proto(port.protocol())),
                                Encode.serviceValue(value));
                    }
                }
            }
        }
    }

    private static Bytes backendValue(MeshIndex index, Service s, String ip, String node, IdentityEntries identities) {
        Workload owner = index.readyEndpoints(s).stream()
                .filter(e -> IpAddresses.canonical(e.ip()).equals(ip) && !e.workload().isEmpty())
                .findFirst()
                .flatMap(e -> index.workload(e.workload()))
                .or(() -> index.workloadByIp(ip))
                .orElse(null);
        int identity = owner == null ? KernelAbi.IDENTITY_HOST : identities.id(owner.identity());
        int flags = owner != null && owner.node().equals(node) ? KernelAbi.BACKEND_F_LOCAL : 0;
        return Encode.backendValue(Addresses.toKernel(ip), identity, flags);
    }

    static long affinitySeconds(Service s) {
        if (!s.affinity().enabled()) return 0;
        long millis = s.affinity().timeout().toMillis();
        return Math.min(0xffff_ffffL, Math.max(1, (millis + 999) / 1000));
    }

    static int lb(LoadBalancing lb) {
        return switch (lb) {
            case RANDOM -> KernelAbi.LB_RANDOM;
            case ROUND_ROBIN -> KernelAbi.LB_ROUND_ROBIN;
            case MAGLEV -> KernelAbi.LB_MAGLEV;
        };
    }

    static int flags(Service s) {
        return (s.l7() ? KernelAbi.SVC_F_L7 : 0) | (s.affinity().enabled() ? KernelAbi.SVC_F_AFFINITY : 0);
    }

    static int proto(Protocol p) {
        return p == Protocol.UDP ? KernelAbi.PROTO_UDP : KernelAbi.PROTO_TCP;
    }
}
