package io.nodemesh.api;

import java.util.Map;

/**
 * Counters over all flow events a dataplane has seen since it was opened.
 *
 * @param byVerdict events per verdict
 * @param byService events per service ({@code namespace/name}), for events addressed to a service
 * @param byPath    events per path taken
 * @param lost      events the backend could not deliver (a full ring buffer, a slow subscriber)
 */
public record FlowStats(
        Map<Verdict, Long> byVerdict, Map<String, Long> byService, Map<FlowPath, Long> byPath, long lost) {
    public FlowStats {
        byVerdict = Map.copyOf(byVerdict);
        byService = Map.copyOf(byService);
        byPath = Map.copyOf(byPath);
    }

    public long total() {
        return byVerdict.values().stream().mapToLong(Long::longValue).sum();
    }
}
