package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
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
            for (ServiceEntries.Family f : ServiceEntries.families(s))
                ready.put(f, ServiceEntries.readyAddresses(readyEndpoints, f).size());
            List<String> vipPorts = new ArrayList<>();
            for (String vip : s.vips()) {
                if (!IpAddresses.isValid(vip)) continue;
                for (ServicePort p : s.ports())
                    vipPorts.add(IpAddresses.canonical(vip) + "|" + p.port() + "|" + p.protocol());
            }
            c = new Counts(ready, vipPorts);
        }
        if (s.selector().isEmpty()) next.put(s, c);
        return c;
    }

    /**
     * What the last validation found, piece by piece, so that a state differing only in some services' own records is
     * checked by recounting just those services (one endpoint change at 10,000 services: microseconds, not ms).
     */
    private static final class Last {
        MeshState state;
        MeshIndex index;
        Counts[] counts; // per service index; null for a duplicate key (skipped, as the plan does)
        final TreeMap<Integer, List<Violation>> perService = new TreeMap<>();
        final Map<String, Integer> vipPortRefs = new HashMap<>();
        long backends;
        long maglevEntries;
        int serviceKeys;
        List<Violation> workloads = List.of();
        List<Violation> policies = List.of();
    }

    private Last last;

    synchronized List<Violation> validate(MeshState state) {
        if (!incremental(state)) whole(state);
        List<Violation> out = new ArrayList<>();
        last.perService.values().forEach(out::addAll);
        over(out, "services", last.serviceKeys, "services", "ebpf.maxServices", limits.maxServices());
        over(out, "services", last.vipPortRefs.size(), "VIP:port entries", "ebpf.maxVipPorts", limits.maxVipPorts());
        over(out, "services", last.backends, "ready backends", "ebpf.maxBackends", limits.maxBackends());
        over(
                out,
                "services",
                last.maglevEntries,
                "Maglev table entries",
                "ebpf.maxMaglevEntries",
                limits.maxMaglevEntries());
        out.addAll(last.workloads);
        out.addAll(last.policies);
        return out;
    }

    /** Recounts only the services whose records changed; false when anything else changed (then: {@link #whole}). */
    private boolean incremental(MeshState state) {
        Last l = last;
        if (l == null
                || !SameElements.of(l.state.workloads(), state.workloads())
                || !SameElements.of(l.state.policies(), state.policies())) {
            return false;
        }
        List<Service> before = l.state.services(), after = state.services();
        if (before.size() != after.size()) return false;
        List<Integer> changed = new ArrayList<>();
        for (int i : ReplacedPositions.of(l.state, state)) {
            Service s = after.get(i), old = before.get(i);
            if (s == old) continue;
            if (!s.key().equals(old.key()) || l.counts[i] == null) return false;
            changed.add(i);
        }
        Map<Service, Counts> unused = new HashMap<>();
        for (int i : changed) {
            Service old = before.get(i), s = after.get(i);
            Counts was = l.counts[i];
            // the index only serves workload lookups (selectors, ready endpoints): the workloads did not change
            Counts now = counts(l.index, s, unused);
            l.backends += backends(now) - backends(was);
            l.maglevEntries += maglevEntries(s, now) - maglevEntries(old, was);
            was.vipPorts().forEach(v -> l.vipPortRefs.computeIfPresent(v, (k, n) -> n == 1 ? null : n - 1));
            now.vipPorts().forEach(v -> l.vipPortRefs.merge(v, 1, Integer::sum));
            List<Violation> v = violations(s, now);
            if (v.isEmpty()) l.perService.remove(i);
            else l.perService.put(i, v);
            l.counts[i] = now;
        }
        l.state = state;
        return true;
    }

    private void whole(MeshState state) {
        Last l = new Last();
        l.state = state;
        l.index = state.index();
        l.counts = new Counts[state.services().size()];
        Set<String> serviceKeys = new HashSet<>();
        Map<Service, Counts> nextCounts = new HashMap<>();
        for (int i = 0; i < state.services().size(); i++) {
            Service s = state.services().get(i);
            if (!serviceKeys.add(s.key())) continue;
            Counts counts = counts(l.index, s, nextCounts);
            l.counts[i] = counts;
            counts.vipPorts().forEach(v -> l.vipPortRefs.merge(v, 1, Integer::sum));
            l.backends += backends(counts);
            l.maglevEntries += maglevEntries(s, counts);
            List<Violation> v = violations(s, counts);
            if (!v.isEmpty()) l.perService.put(i, v);
        }
        lastCounts = nextCounts;
        l.serviceKeys = serviceKeys.size();

        List<Violation> workloads = new ArrayList<>();
        Set<String> addresses = new HashSet<>();
        for (Workload w : state.workloads()) {
            for (String ip : w.ips()) if (IpAddresses.isValid(ip)) addresses.add(IpAddresses.canonical(ip));
        }
        over(
                workloads,
                "workloads",
                addresses.size(),
                "workload addresses",
                "ebpf.maxIdentities",
                limits.maxIdentities());
        Map<String, Integer> perNode = new HashMap<>();
        for (Workload w : state.workloads()) perNode.merge(w.node(), 1, Integer::sum);
        perNode.forEach((node, count) -> over(
                workloads,
                "workloads",
                count,
                "workloads on node " + node,
                "ebpf.maxIdentities",
                limits.maxIdentities()));
        l.workloads = workloads;

        // the exact rule count: compile with throwaway ids (the count does not depend on which numbers are chosen)
        List<Violation> policies = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        Map<String, Integer> serviceIds = new HashMap<>();
        serviceKeys.forEach(k -> serviceIds.put(k, serviceIds.size() + 1));
        var rules = new TreeMap<Bytes, Bytes>();
        var selected = new TreeMap<Bytes, Bytes>();
        PolicyEntries.compile(
                state,
                id -> switch (id) {
                    case "*", "" -> KernelAbi.IDENTITY_ANY;
                    case "host" -> KernelAbi.IDENTITY_HOST;
                    default -> ids.computeIfAbsent(id, k -> ids.size() + KernelAbi.IDENTITY_FIRST_WORKLOAD);
                },
                key -> serviceIds.getOrDefault(key, 0),
                rules,
                selected);
        over(policies, "policies", rules.size(), "kernel policy rules", "ebpf.maxPolicyRules", limits.maxPolicyRules());
        over(
                policies,
                "policies",
                selected.size(),
                "kernel policy selections",
                "ebpf.maxPolicyRules",
                limits.maxPolicyRules());
        l.policies = policies;
        last = l;
    }

    private static long backends(Counts c) {
        long n = 0;
        for (int ready : c.ready().values()) n += ready;
        return n;
    }

    private long maglevEntries(Service s, Counts c) {
        long n = 0;
        if (s.loadBalancing() != LoadBalancing.MAGLEV) return 0;
        for (int ready : c.ready().values()) if (ready > 0) n += limits.maglevTableSize();
        return n;
    }

    private List<Violation> violations(Service s, Counts counts) {
        List<Violation> out = new ArrayList<>();
        for (var entry : counts.ready().entrySet()) {
            int ready = entry.getValue();
            String family = entry.getKey() == ServiceEntries.Family.V4 ? "IPv4" : "IPv6";
            if (ready > limits.maxBackendsPerService()) {
                out.add(new Violation(
                        "services[" + s.key() + "].endpoints",
                        ready + " ready " + family + " backends exceed ebpf.maxBackendsPerService = "
                                + limits.maxBackendsPerService()));
            }
            if (s.loadBalancing() == LoadBalancing.MAGLEV && ready > limits.maglevTableSize()) {
                out.add(new Violation(
                        "services[" + s.key() + "].loadBalancing",
                        ready + " ready " + family + " backends exceed the Maglev table size ebpf.maglevTableSize = "
                                + limits.maglevTableSize()));
            }
        }
        return out;
    }

    private static void over(List<Violation> out, String path, long count, String what, String limit, int max) {
        if (count > max) out.add(new Violation(path, count + " " + what + " exceed " + limit + " = " + max));
    }
}
