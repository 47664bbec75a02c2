package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed between two resource maps of a type, computed once and shared: every node's snapshot holds the same
 * maps, so one apply's diff answers the watches of every client. The last few are kept (one per changed type of the
 * last applies); a map made by replacing entries ({@link ResourceMaps}) hands its diff in rather than have it searched.
 */
final class ResourceDiffs {
    private final Diff[] recent = new Diff[8];
    private int next;

    /** Changed or added resources by name, and removed names, from {@code before} to {@code now}. */
    record Diff(
            Map<String, VersionedResource<?>> before,
            Map<String, VersionedResource<?>> now,
            Map<String, Message> changed,
            List<String> removed) {}

    /** {@code now} holds {@code before}'s names, with {@code changed} replacing some of its resources. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void known(
            Map<String, ? extends VersionedResource<?>> before,
            Map<String, ? extends VersionedResource<?>> now,
            List<? extends Message> changed) {
        Map<String, Message> byName = new HashMap<>();
        for (Message m : changed) byName.put(Resources.getResourceName(m), m);
        remember(new Diff((Map) before, (Map) now, byName, List.of()));
    }

    Diff between(Map<String, VersionedResource<?>> before, Map<String, VersionedResource<?>> now) {
        Diff d = recalled(before, now);
        if (d != null) return d;
        Map<String, Message> changed = new HashMap<>();
        for (var e : now.entrySet()) {
            VersionedResource<?> b = before.get(e.getKey());
            Message n = e.getValue().resource();
            if (b == null || b.resource() != n && !b.resource().equals(n)) changed.put(e.getKey(), n);
        }
        List<String> removed = new ArrayList<>();
        for (String name : before.keySet()) if (!now.containsKey(name)) removed.add(name);
        d = new Diff(before, now, changed, removed);
        remember(d);
        return d;
    }

    private synchronized Diff recalled(
            Map<String, VersionedResource<?>> before, Map<String, VersionedResource<?>> now) {
        for (Diff d : recent) if (d != null && d.before == before && d.now == now) return d;
        return null;
    }

    private synchronized void remember(Diff d) {
        recent[next] = d;
        next = (next + 1) % recent.length;
    }
}
