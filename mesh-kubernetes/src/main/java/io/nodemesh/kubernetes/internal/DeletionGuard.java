package io.nodemesh.kubernetes.internal;

import io.nodemesh.api.state.MeshState;
import java.util.List;

/**
 * Refuses to empty the dataplane on the word of a list that followed an API error. An API server restored from an
 * empty backup, or a proxy answering for it, can return an empty list without failing; applying that would take every
 * service of the node down at once. A real cluster never has no nodes, and all but never no services or pods.
 */
final class DeletionGuard {
    private DeletionGuard() {}

    /** Why {@code next} must not replace {@code applied}, or null when it may. */
    static String check(MeshState applied, MeshState next, boolean errorSinceLastApply) {
        if (!errorSinceLastApply) return null;
        record Count(String kind, int before, int after) {}
        for (Count c : List.of(
                new Count("node", applied.nodes().size(), next.nodes().size()),
                new Count("pod", applied.workloads().size(), next.workloads().size()),
                new Count("service", applied.services().size(), next.services().size()))) {
            if (c.before() > 0 && c.after() == 0) {
                return "holding the last state: after an API error the " + c.kind() + " list came back empty ("
                        + c.before() + " before); applying it would take the mesh down";
            }
        }
        return null;
    }
}
