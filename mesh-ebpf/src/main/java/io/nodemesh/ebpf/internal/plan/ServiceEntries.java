package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.lb.ClosestEndpoints;
import io.nodemesh.api.lb.Maglev;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.internal.abi.Addresses;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.Encode;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * nm_services, nm_backends and nm_maglev. Each Service has one service id (policy, flows) and one backend set per
 * address family that has a VIP: a v4 VIP picks among the IPv4 ready endpoints, a v6 VIP among the IPv6 ones, since a
 * socket can only be redirected to an address of its own family.
 */
final class ServiceEntries {
    /** The two address families, as used in backend-set keys. */
    enum Family {
        V4("v4"),
        V6("v6");

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
    /** Each service's VIP families, parsed once per plan. */
    private final Map<String, Set<Family>> families = new HashMap<>();

    ServiceEntries(MeshState state, PlanLimits limits, Allocations previous) {
        serviceIds = new IdAllocator("service", 1, limits.maxServices(), previous.services());
        backendSetIds = new IdAllocator("backend set", 1, limits.backendSets() - 1, previous.backendSets());
        Set<String> keys = new LinkedHashSet<>();
        Set<String> setKeys = new LinkedHashSet<>();
        for (Service s : state.services()) {
            if (!keys.add(s.key())) continue;
            Set<Family> fs = families(s);
            families.put(s.key(), fs);
            for (Family f : fs) setKeys.add(setKey(s, f));
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

    /** A ready endpoint, its address parsed once. */
    record ReadyEndpoint(String canonical, byte[] kernelAddress, Family family, Endpoint endpoint) {}

    /** The ready endpoints of {@code s} with valid addresses, each address once (first wins), in the state's order. */
    static Map<String, ReadyEndpoint> ready(MeshIndex index, Service s) {
        Map<String, ReadyEndpoint> out = new java.util.LinkedHashMap<>();
        for (Endpoint e : index.readyEndpoints(s)) {
            var parsed = IpAddresses.parse(e.ip());
            if (parsed.isEmpty()) continue;
            java.net.InetAddress a = parsed.get();
            String canonical = a.getHostAddress();
            out.putIfAbsent(
                    canonical,
                    new ReadyEndpoint(
                            canonical,
                            Addresses.toKernel(a),
                            a instanceof java.net.Inet4Address ? Family.V4 : Family.V6,
                            e));
        }
        return out;
    }

    /** The ready endpoint addresses of {@code s} in family {@code f}, canonical and distinct, in the state's order. */
    static List<String> readyAddresses(Map<String, ReadyEndpoint> ready, Family f) {
        return ready.values().stream()
                .filter(r -> r.family() == f)
                .map(ReadyEndpoint::canonical)
                .toList();
    }

    /**
     * The addresses of {@link #readyAddresses} that clients on {@code node} use, by the service's {@link Locality}: this
     * node's slots hold only those, so the kernel needs no notion of locality.
     */
    static List<String> closestAddresses(
            MeshIndex index, Service s, Map<String, ReadyEndpoint> ready, Family f, String node) {
        if (s.locality() == Locality.ANY) return readyAddresses(ready, f);
        List<ReadyEndpoint> family =
                ready.values().stream().filter(r -> r.family() == f).toList();
        Set<Endpoint> closest = new java.util.HashSet<>(ClosestEndpoints.of(
                index, s, family.stream().map(ReadyEndpoint::endpoint).toList(), node));
        return family.stream()
                .filter(r -> closest.contains(r.endpoint()))
                .map(ReadyEndpoint::canonical)
                .toList();
    }

    /**
     * One segment per service (owner {@code service:<key>}), in state order; unchanged services reuse their cached
     * segment.
     */
    Map<String, MapPlan.Segment> segments(
            MeshState state,
            MeshIndex index,
            String node,
            IdentityEntries identities,
            PlanLimits limits,
            Allocations previous,
            ServiceCache cache) {
        cache.begin(new ServiceCache.Context(
                state.workloads(), state.nodes(), identities.assigned(), node, limits.maglevTableSize()));
        Map<String, MapPlan.Segment> out = new java.util.LinkedHashMap<>();
        for (Service s : state.services()) {
            if (out.containsKey(owner(s.key()))) continue;
            int serviceId = serviceIds.id(s.key());
            Map<String, Integer> sets = new java.util.LinkedHashMap<>();
            Map<String, List<String>> previousSlots = new HashMap<>();
            for (Family f : families.get(s.key())) {
                String setKey = setKey(s, f);
                sets.put(setKey, backendSetIds.id(setKey));
                previousSlots.put(setKey, previous.slots().getOrDefault(setKey, List.of()));
            }
            var inputs = new ServiceCache.Inputs(s, serviceId, sets, previousSlots);
            ServiceCache.Output output = cache.get(s.key(), inputs);
            if (output == null) {
                output = plan(index, s, inputs, node, identities, limits);
                cache.put(s.key(), inputs, output);
            }
            slots.putAll(output.slots());
            out.put(owner(s.key()), output.segment());
        }
        cache.retain(state.services().stream().map(Service::key).collect(java.util.stream.Collectors.toSet()));
        return out;
    }

    static String owner(String serviceKey) {
        return "service:" + serviceKey;
    }

    static ServiceCache.Output plan(
            MeshIndex index,
            Service s,
            ServiceCache.Inputs in,
            String node,
            IdentityEntries identities,
            PlanLimits limits) {
        var services = new java.util.TreeMap<Bytes, Bytes>();
        var backends = new java.util.TreeMap<Bytes, Bytes>();
        var maglev = new java.util.TreeMap<Bytes, Bytes>();
        Map<String, List<String>> slots = new HashMap<>();
        Map<String, ReadyEndpoint> ready = ready(index, s);
        for (Family f : families(s)) {
            String setKey = setKey(s, f);
            int set = in.backendSets().get(setKey);
            List<String> order =
                    SlotAssigner.assign(in.previousSlots().get(setKey), closestAddresses(index, s, ready, f, node));
            slots.put(setKey, order);
            for (int slot = 0; slot < order.size(); slot++) {
                backends.put(
                        Encode.backendKey(set, slot),
                        backendValue(index, ready.get(order.get(slot)), node, identities));
            }
            boolean useMaglev = s.loadBalancing() == LoadBalancing.MAGLEV && !order.isEmpty();
            if (useMaglev) {
                int[] table = Maglev.canonicalTable(order, limits.maglevTableSize()); // entries are slots
                for (int i = 0; i < table.length; i++) maglev.put(Encode.maglevKey(set, i), Encode.u32(table[i]));
            }
            for (String vip : s.vips()) {
                var parsedVip = IpAddresses.parse(vip);
                if (parsedVip.isEmpty()
                        || (parsedVip.get() instanceof java.net.Inet4Address ? Family.V4 : Family.V6) != f) continue;
                byte[] vipBytes = Addresses.toKernel(parsedVip.get());
                for (ServicePort port : s.ports()) {
                    var value = new Encode.ServiceValue(
                            in.serviceId(),
                            set,
                            order.size(),
                            affinitySeconds(s),
                            useMaglev ? limits.maglevTableSize() : 0,
                            port.targetPort(),
                            lb(s.loadBalancing()),
                            flags(s));
                    services.putIfAbsent(
                            Encode.serviceKey(vipBytes, port.port(), proto(port.protocol())),
                            Encode.serviceValue(value));
                }
            }
        }
        var maps = new java.util.EnumMap<KernelMap, java.util.NavigableMap<Bytes, Bytes>>(KernelMap.class);
        maps.put(KernelMap.SERVICES, services);
        maps.put(KernelMap.BACKENDS, backends);
        maps.put(KernelMap.MAGLEV, maglev);
        return new ServiceCache.Output(new MapPlan.Segment(maps), Map.copyOf(slots));
    }

    /** The backend's identity and locality: its endpoint's workload, else the workload with its address, else host. */
    private static Bytes backendValue(MeshIndex index, ReadyEndpoint r, String node, IdentityEntries identities) {
        Workload owner = (r.endpoint().workload().isEmpty()
                        ? java.util.Optional.<Workload>empty()
                        : index.workload(r.endpoint().workload()))
                .or(() -> index.workloadByIp(r.canonical()))
                .orElse(null);
        int identity = owner == null ? KernelAbi.IDENTITY_HOST : identities.id(owner.identity());
        int flags = owner != null && owner.node().equals(node) ? KernelAbi.BACKEND_F_LOCAL : 0;
        return Encode.backendValue(r.kernelAddress(), identity, flags);
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
