package io.nodemesh.examples.demo;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.Verdict;
import java.util.Map;

/**
 * What the demo's traffic did.
 *
 * @param connections      connection attempts: per path taken (NONE when refused), per verdict
 * @param fromHost         attempts made by host processes (in no pod)
 * @param events           flow events by type
 * @param bytesByPath      bytes carried, by path
 * @param podsPerNode      pods on each node
 */
record DemoReport(
        Map<FlowPath, Map<Verdict, Long>> connections,
        long fromHost,
        Map<FlowEvent.Type, Long> events,
        Map<FlowPath, Long> bytesByPath,
        Map<String, Integer> podsPerNode) {
    long total() {
        return connections.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToLong(Long::longValue)
                .sum();
    }

    long count(FlowPath path, Verdict verdict) {
        return connections.getOrDefault(path, Map.of()).getOrDefault(verdict, 0L);
    }
}
