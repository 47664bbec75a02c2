package io.nodemesh.ebpf.internal.plan;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hands out small integer ids that stay the same from one plan to the next: a key keeps the id it had, a new key takes
 * the lowest free one. Stable ids keep a diff small (one new service does not renumber the others) and keep the
 * kernel's per-id state (round-robin counters, affinity, sockets' cached service ids) meaningful across applies.
 */
final class IdAllocator {
    private final String what;
    private final int first;
    private final int last;
    private final Map<String, Integer> previous;
    private final Map<String, Integer> assigned = new LinkedHashMap<>();
    private final BitSet used = new BitSet();

    /**
     * @param what     what the ids number, for errors ("service", "identity")
     * @param first    the lowest id to hand out
     * @param last     the highest id to hand out
     * @param previous the ids of the previous plan
     */
    IdAllocator(String what, int first, int last, Map<String, Integer> previous) {
        this.what = what;
        this.first = first;
        this.last = last;
        this.previous = previous;
    }

    /** Reserves the previous ids of {@code keys} that are still wanted; call before {@link #id} for stability. */
    void keep(Iterable<String> keys) {
        for (String key : keys) {
            Integer id = previous.get(key);
            if (id != null && id >= first && id <= last && !used.get(id) && !assigned.containsKey(key)) {
                used.set(id);
                assigned.put(key, id);
            }
        }
    }

    int id(String key) {
        Integer id = assigned.get(key);
        if (id != null) return id;
        int free = used.nextClearBit(first);
        if (free > last)
            throw new IllegalStateException("no free " + what + " id: all " + (last - first + 1) + " are taken");
        used.set(free);
        assigned.put(key, free);
        return free;
    }

    Map<String, Integer> assigned() {
        return Map.copyOf(assigned);
    }
}
