package io.nodemesh.ebpf.internal.plan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Chooses which backend sits in which slot. A backend that stays keeps its slot when it can, so one endpoint change
 * rewrites one or two slots instead of shifting all of them, and session-affinity entries (which remember a slot and
 * check its address) keep working for every backend that did not move.
 */
final class SlotAssigner {
    private SlotAssigner() {}

    /**
     * @param previous the addresses by slot in the previous plan (empty for a new backend set)
     * @param ready    the ready addresses now, in the state's order (distinct)
     * @return the addresses by slot now: a permutation of {@code ready}
     */
    static List<String> assign(List<String> previous, List<String> ready) {
        int n = ready.size();
        String[] slots = new String[n];
        Set<String> wanted = new HashSet<>(ready);
        Set<String> placed = new HashSet<>();
        for (int i = 0; i < Math.min(n, previous.size()); i++) {
            String ip = previous.get(i);
            if (wanted.contains(ip)) {
                slots[i] = ip;
                placed.add(ip);
            }
        }
        int hole = 0;
        for (String ip : ready) {
            if (placed.contains(ip)) continue;
            while (slots[hole] != null) hole++;
            slots[hole] = ip;
        }
        return List.of(slots);
    }

    /** The distinct entries of {@code ips}, first occurrence kept. */
    static List<String> distinct(List<String> ips) {
        return new ArrayList<>(new java.util.LinkedHashSet<>(ips));
    }
}
