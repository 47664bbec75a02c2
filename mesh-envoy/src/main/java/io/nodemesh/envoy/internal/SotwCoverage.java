package io.nodemesh.envoy.internal;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per state-of-the-world stream and resource type: the names whose current content the client holds. It lets
 * {@link MeshCache} send an EDS or RDS change as just the changed resources (the xDS protocol allows that for every
 * type but listeners and clusters: a resource left out of such a response is unchanged, not removed).
 * <p>
 * A name is covered once any response carried it; it stops being covered when the client stops asking for it (it may
 * drop the resource then, so asking again must send it again).
 */
final class SotwCoverage {
    private final Map<String, Set<String>> byType = new ConcurrentHashMap<>();
    /** Per type the names of the client's last request: an ACK usually repeats them, and a list compare is cheap. */
    private final Map<String, List<String>> lastAsked = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> lastAskedSet = new ConcurrentHashMap<>();

    /**
     * The client asks for {@code names} of {@code typeUrl} now: names it no longer asks for are forgotten. Returns the
     * asked-for names it holds (the caller must not change the set).
     */
    synchronized Set<String> asked(String typeUrl, List<String> names) {
        Set<String> covered = byType.getOrDefault(typeUrl, Set.of());
        // The same names as last time (in order): what it holds is still exactly the covered set, since responses
        // carry only asked-for names. Comparing the lists costs one pass of String.equals, not 10,000 hash lookups.
        if (names.equals(lastAsked.get(typeUrl)) && covered instanceof HashSet) return Collections.unmodifiableSet(covered);
        Set<String> held = new HashSet<>(Math.max(16, covered.size() * 2));
        if (!covered.isEmpty()) {
            for (String n : names) if (covered.contains(n)) held.add(n);
        }
        byType.put(typeUrl, held);
        lastAsked.put(typeUrl, List.copyOf(names));
        lastAskedSet.put(typeUrl, new HashSet<>(names));
        return Collections.unmodifiableSet(held);
    }

    /**
     * A response carried {@code names}. Only names the client still asks for count: a response to an older request
     * may still be on its way after the client narrowed its subscription.
     */
    synchronized void sent(String typeUrl, Iterable<String> names) {
        Set<String> covered = byType.computeIfAbsent(typeUrl, t -> new HashSet<>());
        Set<String> asked = lastAskedSet.getOrDefault(typeUrl, Set.of());
        for (String n : names) if (asked.contains(n)) covered.add(n);
    }
}
