package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.internal.abi.Addresses;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.Encode;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.Set;

/** Numeric identities, and the maps that tell the kernel who is who: by address, by netns cookie, by cgroup id. */
final class IdentityEntries {
    private final IdAllocator allocator;

    IdentityEntries(MeshState state, Map<String, Integer> previous) {
        this.allocator = new IdAllocator("identity", KernelAbi.IDENTITY_FIRST_WORKLOAD, Integer.MAX_VALUE, previous);
        Set<String> names = names(state);
        allocator.keep(names);
        names.forEach(allocator::id);
    }

    /** Every identity the state mentions (workloads, policy sources and destinations), reserved ones excluded. */
    static Set<String> names(MeshState state) {
        Set<String> names = new LinkedHashSet<>();
        for (Workload w : state.workloads()) add(names, w.identity());
        for (Policy p : state.policies()) {
            p.sources().forEach(s -> add(names, s));
            p.destinations().forEach(d -> add(names, d));
        }
        return names;
    }

    private static void add(Set<String> names, String identity) {
        if (identity != null
                && !identity.isEmpty()
                && !identity.equals(Identities.HOST)
                && !identity.equals(Identities.ANY)) {
            names.add(identity);
        }
    }

    /** {@code host} → 1, {@code *} or empty → 0 (any), a SPIFFE id → its allocated number. */
    int id(String identity) {
        if (identity == null || identity.isEmpty() || identity.equals(Identities.ANY)) return KernelAbi.IDENTITY_ANY;
        if (identity.equals(Identities.HOST)) return KernelAbi.IDENTITY_HOST;
        return allocator.id(identity);
    }

    Map<String, Integer> assigned() {
        return allocator.assigned();
    }

    /** nm_ip_identity: every workload address in the mesh; the first workload with an address owns it (as MeshIndex). */
    void ipEntries(MeshState state, String node, NavigableMap<Bytes, Bytes> out) {
        for (Workload w : state.workloads()) {
            int flags = w.node().equals(node) ? KernelAbi.IP_F_LOCAL : 0;
            for (String ip : w.ips()) {
                if (!IpAddresses.isValid(ip)) continue;
                out.putIfAbsent(Encode.ipKey(Addresses.toKernel(ip)), Encode.ipInfo(id(w.identity()), flags));
            }
        }
    }

    /**
     * The address a workload's client sockets are known by before they have one: flow events name them by it, and
     * Maglev and session affinity key them by it ({@link io.nodemesh.api.lb.SocketLbKey}, as the simulator does).
     */
    private static java.util.Optional<byte[]> address(Workload w) {
        return io.nodemesh.api.lb.SocketLbKey.workloadAddress(w.ips()).map(Addresses::toKernel);
    }

    /** nm_netns_identity (+ nm_netns_addr) and nm_cgroup_identity for the workloads on {@code node}; what cannot be resolved is a warning. */
    void placementEntries(
            MeshState state,
            String node,
            PlacementResolver resolver,
            NavigableMap<Bytes, Bytes> netns,
            NavigableMap<Bytes, Bytes> netnsAddresses,
            NavigableMap<Bytes, Bytes> cgroups,
            List<String> warnings) {
        for (Workload w : state.workloads()) {
            if (!w.node().equals(node)) continue;
            Bytes identity = Encode.u32(id(w.identity()));
            String netnsPath = w.placement().netns();
            if (!netnsPath.isEmpty()) {
                OptionalLong cookie = resolver.netnsCookie(netnsPath);
                if (cookie.isPresent()) {
                    netns.put(Encode.u64(cookie.getAsLong()), identity);
                    address(w).ifPresent(ip -> netnsAddresses.put(Encode.u64(cookie.getAsLong()), Encode.ipKey(ip)));
                } else
                    warnings.add("workloads[" + w.key() + "].placement.netns: " + netnsPath
                            + " not found; known by address only");
            }
            String cgroupPath = w.placement().cgroup();
            if (!cgroupPath.isEmpty()) {
                OptionalLong id = resolver.cgroupId(cgroupPath);
                if (id.isPresent()) cgroups.put(Encode.u64(id.getAsLong()), identity);
                else
                    warnings.add("workloads[" + w.key() + "].placement.cgroup: " + cgroupPath
                            + " not found; known by address only");
            }
        }
    }
}
