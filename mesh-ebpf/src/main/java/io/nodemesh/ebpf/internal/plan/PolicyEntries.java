package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.Encode;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import io.nodemesh.ebpf.internal.abi.KernelLayouts;
import io.nodemesh.ebpf.internal.abi.StructReader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Compiles policies into nm_policy and nm_policy_selected so that the kernel's 12 lookups decide exactly as
 * {@code MeshIndex.allows}: a policy is stored under every (destination selector × source × port) it matches, with 0
 * for "any", and an ALLOW policy also marks each destination selector it covers as selected (default-deny).
 */
final class PolicyEntries {
    private PolicyEntries() {}

    /** A destination selector: (identity, 0) or (0, service) or (0, 0). */
    private record Selector(int identity, int service) {}

    /**
     * @param identityId numeric identity of a SPIFFE id / {@code host} / {@code *}
     * @param serviceId  service id of a {@code namespace/name}, 0 when the state has no such service
     */
    static void compile(
            MeshState state,
            ToIntFunction<String> identityId,
            ToIntFunction<String> serviceId,
            NavigableMap<Bytes, Bytes> rules,
            NavigableMap<Bytes, Bytes> selected) {
        for (Policy p : state.policies()) {
            List<Selector> selectors = selectors(p, identityId, serviceId);
            List<Integer> sources = sources(p, identityId);
            Set<Integer> ports = new LinkedHashSet<>(p.ports().isEmpty() ? List.of(0) : p.ports());
            int bit = p.action() == PolicyAction.DENY ? KernelAbi.POLICY_DENY : KernelAbi.POLICY_ALLOW;
            for (Selector d : selectors) {
                for (int src : sources) {
                    for (int port : ports) {
                        Bytes key = Encode.policyKey(d.identity(), d.service(), src, port);
                        Bytes old = rules.get(key);
                        int bits =
                                old == null ? 0 : (int) new StructReader(KernelLayouts.U32, old.toArray()).u32("value");
                        rules.put(key, Encode.u32(bits | bit));
                    }
                }
                if (p.action() == PolicyAction.ALLOW)
                    selected.put(Encode.selectedKey(d.identity(), d.service()), Encode.u32(1));
            }
        }
    }

    private static List<Selector> selectors(
            Policy p, ToIntFunction<String> identityId, ToIntFunction<String> serviceId) {
        if (p.destinations().isEmpty() && p.services().isEmpty()) return List.of(new Selector(0, 0));
        Set<Selector> out = new LinkedHashSet<>();
        for (String d : p.destinations()) {
            int id = identityId.applyAsInt(d);
            // a destination of "*" would select everything in MeshIndex only if some workload had identity "*": none
            // can
            if (id != KernelAbi.IDENTITY_ANY) out.add(new Selector(id, 0));
        }
        for (String s : p.services()) {
            int id = serviceId.applyAsInt(s);
            if (id != 0) out.add(new Selector(0, id)); // an unknown service can never be addressed: selects nothing
        }
        return new ArrayList<>(out);
    }

    private static List<Integer> sources(Policy p, ToIntFunction<String> identityId) {
        if (p.sources().isEmpty() || p.sources().contains(Identities.ANY)) return List.of(KernelAbi.IDENTITY_ANY);
        Set<Integer> out = new LinkedHashSet<>();
        for (String s : p.sources()) out.add(identityId.applyAsInt(s));
        return new ArrayList<>(out);
    }
}
