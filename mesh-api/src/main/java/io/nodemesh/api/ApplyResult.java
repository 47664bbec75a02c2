package io.nodemesh.api;

import java.util.List;

/**
 * What an {@link MeshDataplane#apply} changed.
 *
 * @param generation increases by one with every apply that changed something
 * @param changes    each object added, updated or removed
 */
public record ApplyResult(long generation, List<Change> changes) {
    public ApplyResult {
        changes = List.copyOf(changes);
    }

    /** True when the state applied was the one already programmed. */
    public boolean unchanged() {
        return changes.isEmpty();
    }

    /** One object that changed. */
    public record Change(ChangeKind kind, String key, Op op) {
        public enum Op {
            ADDED,
            UPDATED,
            REMOVED
        }

        @Override
        public String toString() {
            return op.name().toLowerCase(java.util.Locale.ROOT) + " "
                    + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + key;
        }
    }
}
