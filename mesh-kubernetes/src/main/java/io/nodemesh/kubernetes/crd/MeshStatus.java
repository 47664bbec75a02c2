package io.nodemesh.kubernetes.crd;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * Status the agents write on nodemesh's resources: an {@value #ACCEPTED} condition, {@code False} with every violation
 * in its message when the resource was not applied.
 *
 * @param observedGeneration the generation the conditions describe
 * @param conditions         conditions, one per type
 */
public record MeshStatus(Long observedGeneration, List<Condition> conditions) {
    public static final String ACCEPTED = "Accepted";
}
