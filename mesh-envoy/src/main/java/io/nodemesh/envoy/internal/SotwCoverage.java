package io.nodemesh.envoy.internal;

import java.util.HashSet;
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

    /**
     * The client asks for {@code names} of {@code typeUrl} now: names it no longer asks for are forgotten. Returns the
     * asked-for names it holds (the caller must not change the set).
     */
    synchronized Set<String> asked(String typeUrl, java.util.List<String> names) {
        Set<String> covered = byType.getOrDefault(typeUrl, Set.of());
        Set<String> held = new HashSet<>(Math.max(16, covered.size() * 2));
        if (!covered.isEmpty()) {
            for (String n : names) if (covered.contains(n)) held.add(n);
        }
        byType.put(typeUrl, held);
        return java.util.Collections.unmodifiableSet(held);
    }

    /** A response carried {@code names}. */
    synchronized void sent(String typeUrl, Iterable<String> names) {
        Set<String> covered = byType.computeIfAbsent(typeUrl, t -> new HashSet<>());
        for (String n : names) covered.add(n);
    }
}
