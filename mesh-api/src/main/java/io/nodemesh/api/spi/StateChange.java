package io.nodemesh.api.spi;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import java.util.List;

/**
 * One step from the state a backend serves to the next, as the {@link ApplyPipeline} hands it to a {@link Programmer}.
 *
 * @param previous   the state programmed now ({@link MeshState#EMPTY} before the first apply)
 * @param next       the state to program; it passed general validation
 * @param index      lookups over {@code next}, built incrementally from the previous one: use it rather than a new index
 * @param changes    the objects that differ between the two
 * @param generation the generation {@code next} gets once committed
 */
public record StateChange(
        MeshState previous, MeshState next, MeshIndex index, List<ApplyResult.Change> changes, long generation) {
    public StateChange {
        changes = List.copyOf(changes);
    }
}
