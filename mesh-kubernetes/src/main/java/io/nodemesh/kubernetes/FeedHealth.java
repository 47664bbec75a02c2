package io.nodemesh.kubernetes;

import java.time.Instant;
import java.util.List;

/**
 * Whether a {@link KubernetesFeed} is current, and if not, what is wrong. Not ready never means the dataplane stopped:
 * it keeps serving the last applied state.
 *
 * @param ready       the caches are listed and watching, and the last assembled state was applied
 * @param problems    what is wrong, one line each (empty when ready)
 * @param applies     applies that changed the dataplane
 * @param lastApplied when the last apply succeeded, or null
 * @param leftOut     cluster objects the mesh cannot take, left out of the state (a pod with a duplicate address…)
 */
public record FeedHealth(
        boolean ready, List<String> problems, long applies, Instant lastApplied, List<String> leftOut) {
    public FeedHealth {
        problems = List.copyOf(problems);
        leftOut = List.copyOf(leftOut);
    }
}
