package io.nodemesh.api;

import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** The object-level difference between two states, as backends report it from {@code apply}. */
public final class StateDiff {
    private StateDiff() {}

    public static List<ApplyResult.Change> between(MeshState before, MeshState after) {
        List<ApplyResult.Change> changes = new ArrayList<>();
        diff(ChangeKind.NODE, before.nodes(), after.nodes(), Node::name, changes);
        diff(ChangeKind.WORKLOAD, before.workloads(), after.workloads(), Workload::key, changes);
        if (!replacedServices(before, after, changes))
            diff(ChangeKind.SERVICE, before.services(), after.services(), Service::key, changes);
        diff(ChangeKind.POLICY, before.policies(), after.policies(), Policy::key, changes);
        diff(ChangeKind.ROUTE, before.routes(), after.routes(), HttpRoute::key, changes);
        if (!before.encryption().equals(after.encryption())) {
            changes.add(new ApplyResult.Change(ChangeKind.ENCRYPTION, "encryption", ApplyResult.Change.Op.UPDATED));
        }
        return changes;
    }

    private static <T> void diff(
            ChangeKind kind, List<T> before, List<T> after, Function<T, String> key, List<ApplyResult.Change> out) {
        if (before == after) return;
        if (samePositions(before, after, key, kind, out)) return;
        Map<String, T> old = index(before, key);
        Map<String, T> now = index(after, key);
        now.forEach((k, v) -> {
            T previous = old.get(k);
            if (previous == null) out.add(new ApplyResult.Change(kind, k, ApplyResult.Change.Op.ADDED));
            else if (!Objects.equals(previous, v))
                out.add(new ApplyResult.Change(kind, k, ApplyResult.Change.Op.UPDATED));
        });
        old.keySet().stream()
                .filter(k -> !now.containsKey(k))
                .forEach(k -> out.add(new ApplyResult.Change(kind, k, ApplyResult.Change.Op.REMOVED)));
    }

    /**
     * A state made from {@code before} by {@link MeshState#withService} knows which positions it replaced: only those
     * are compared. False (reporting nothing) when that is unknown or a replaced service changed its key.
     */
    private static boolean replacedServices(MeshState before, MeshState after, List<ApplyResult.Change> out) {
        var positions = after.servicesReplacedSince(before);
        if (positions.isEmpty()) return false;
        List<ApplyResult.Change> updates = new ArrayList<>();
        for (int i : positions.get()) {
            Service old = before.services().get(i), now = after.services().get(i);
            if (old == now) continue;
            if (!old.key().equals(now.key())) return false;
            if (!old.equals(now))
                updates.add(new ApplyResult.Change(ChangeKind.SERVICE, now.key(), ApplyResult.Change.Op.UPDATED));
        }
        out.addAll(updates);
        return true;
    }

    /**
     * The common case of a small change: the same objects in the same order, a few replaced in place. Walks both lists
     * once, comparing references first, and reports the updates; false (reporting nothing) when keys differ anywhere.
     */
    private static <T> boolean samePositions(
            List<T> before, List<T> after, Function<T, String> key, ChangeKind kind, List<ApplyResult.Change> out) {
        if (before.size() != after.size()) return false;
        List<ApplyResult.Change> updates = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            T old = before.get(i);
            T now = after.get(i);
            if (old == now) continue;
            if (!key.apply(old).equals(key.apply(now))) return false;
            if (!old.equals(now))
                updates.add(new ApplyResult.Change(kind, key.apply(now), ApplyResult.Change.Op.UPDATED));
        }
        out.addAll(updates);
        return true;
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> key) {
        Map<String, T> map = new LinkedHashMap<>();
        items.forEach(i -> map.put(key.apply(i), i));
        return map;
    }
}
