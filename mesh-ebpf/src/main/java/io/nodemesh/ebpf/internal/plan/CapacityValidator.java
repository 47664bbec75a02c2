package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.Workload;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a state against the kernel maps' capacity, so a full map is reported as a {@link Violation} naming the limit
 * to raise, before anything is written. Counts are the ones the plan would make (same dedup rules).
 */
final class CapacityValidator {
    private final PlanLimits limits;
    /**
     * Per-service counts of the last validation, keyed by the Service value itself: an unchanged service is not
     * parsed again. Only services with listed endpoints (a selector's endpoints depend on the workloads).
     */
    private Map<Service, Counts> lastCounts = new HashMap<>();

    /** What one service needs: ready backends per family and whether each family uses a Maglev table. */
    private record Counts(Map<ServiceEntries.Family, Integer> ready, List<String> vipPorts) {}

    CapacityValidator(PlanLimits limits) {
        this.limits = limits;
    }

    private Counts counts(MeshIndex index, Service s, Map<Service, Counts> next) {
        Counts c = s.selector().isEmpty() ? lastCounts.get(s) : null;
        if (c == null) {
            var readyEndpoints = ServiceEntries.ready(index, s);
            Map<ServiceEntries.Family, Integer> ready = new java.util.EnumMap<>(ServiceEntries.Family.class);
            for (ServiceEntries.Family f : ServiceEntries.families(s)) ready.put(f, ServiceEntries.readyAddresses(readyEndpoints, f).size());
            List<String> vipPorts = new ArrayList<>();
            for (String vip : s.vips()) {
                if (!IpAddresses.isValid(vip)) continue;
                for (ServicePort p : s.ports()) vipPorts.add(IpAddresses.canonical(vip) + "|" + p.port() + "|" + p.protocol());
            }
            c = new Counts(ready, vipPorts);
        }
        if (s.selector().isEmpty()) next.put(s, c);
        return c;
    }

    synchronized List<Violation> validate(MeshState state) {
        List<Violation> out = new ArrayList<>();
        MeshIndex index = state.index();

        Set<String> serviceKeys = new HashSet<>();
        Set<String> vipPorts = new HashSet<>();
        long backends = 0;
        long maglevEntries = 0;
        Map<Service, Counts> nextCounts = new HashMap<>();
        for (Service s : state.services()) {
            if (!serviceKeys.add(s.key())) continue;
            Counts counts = counts(index, s, nextCounts);
            vipPorts.addAll(counts.vipPorts());
            for (var entry : counts.ready().entrySet()) {
                ServiceEntries.Family f = entry.getKey();
                int ready = entry.getValue();
                backends += ready;
                String family = f == ServiceEntries.Family.V4 ? "IPv4" : "IPv6";
                if (ready > limits.maxBackendsPerService()) {
                    out.add(new Violation("services[" + s.key() + "].endpoints", ready + " ready " + family
                            + " backends exceed ebpf.maxBackendsPerService = " + limits.maxBackendsPerService()));
                }
                if (s.loadBalancing() == LoadBalancing.MAGLEV && ready > 0) {
                    maglevEntries += limits.maglevTableSize();
                    if (ready > limits.maglevTableSize()) {
                        out.add(new Violation("services[" + s.key() + "].loadBalancing", ready + " ready " + family
                                + " backends exceed the Maglev table size ebpf.maglevTableSize = " + limits.maglevTableSize()));
                    }
                }
            }
        }
        lastCounts = nextCounts;
        over(out, "services", serviceKeys.size(), "services", "ebpf.maxServices", limits.maxServices());
        over(out, "services", vipPorts.size(), "VIP:port entries", "ebpf.maxVipPorts", limits.maxVipPorts());
        over(out, "services", backends, "ready backends", "ebpf.maxBackends", limits.maxBackends());
        over(out, "services", maglevEntries, "Maglev table entries", "ebpf.maxMaglevEntries", limits.maxMaglevEntries());

        Set<String> addresses = new HashSet<>();
        for (Workload w : state.workloads()) {
            for (String ip : w.ips()) if (IpAddresses.isValid(ip)) addresses.add(IpAddresses.canonical(ip));
        }
        over(out, "workloads", addresses.size(), "workload addresses", "ebpf.maxIdentities", limits.maxIdentities());
        Map<String, Integer> perNode = new HashMap<>();
        for (Workload w : state.workloads()) perNode.merge(w.node(), 1, Integer::sum);
        perNode.forEach((node, count) -> over(out, "workloads", count, "workloads on node " + node,
                "ebpf.maxIdentities", limits.maxIdentities()));

        // the exact rule count: compile with throwaway ids (the count does not depend on which numbers are chosen)
        Map<String, Integer> ids = new HashMap<>();
        Map<String, Integer> serviceIds = new HashMap<>();
        serviceKeys.forEach(k -> serviceIds.put(k, serviceIds.size() + 1));
        var rules = new TreeMap<Bytes, Bytes>();
        var selected = new TreeMap<Bytes, Bytes>();
        PolicyEntries.compile(state,
                id -> switch (id) {
                    case "*", "" -> KernelAbi.IDENTITY_ANY;
                    case "host" -> KernelAbi.IDENTITY_HOST;
                    default -> ids.computeIfAbsent(id, k -> ids.size() + KernelAbi.IDENTITY_FIRST_WORKLOAD);
                },
                key -> serviceIds.getOrDefault(key, 0), rules, selected);
        over(out, "policies", rules.size(), "kernel policy rules", "ebpf.maxPolicyRules", limits.maxPolicyRules());
        over(out, "policies", selected.size(), "kernel policy selections", "ebpf.maxPolicyRules", limits.maxPolicyRules());
        return out;
    }

    private static void over(List<Violation> out, String path, long count, String what, String limit, int max) {
        if (count > max) out.add(new Violation(path, count + " " + what + " exceed " + limit + " = " + max));
    }
}
