package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import java.util.ArrayList;
import java.util.List;

/**
 * Where two states with as many services differ: the positions whose service is not the very same object. A state made
 * by {@link MeshState#withService} remembers them, which makes a small change O(changed); otherwise both lists are
 * walked comparing references. The result may name a position holding the same object (callers skip those).
 */
final class ReplacedPositions {
    private ReplacedPositions() {}

    static List<Integer> of(MeshState before, MeshState after) {
        var known = after.servicesReplacedSince(before);
        if (known.isPresent()) return known.get();
        List<Service> was = before.services(), now = after.services();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < now.size(); i++) if (now.get(i) != was.get(i)) out.add(i);
        return out;
    }
}
