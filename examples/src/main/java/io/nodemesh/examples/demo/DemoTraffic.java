package io.nodemesh.examples.demo;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Workload;
import io.nodemesh.sim.ConnectResult;
import io.nodemesh.sim.SimulatedDataplane;
import io.nodemesh.sim.Source;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Drives seeded traffic through the simulator: each connection comes from a random pod (one in twenty from a host
 * process instead) to a random service's VIP, sends a few messages and closes. The report is built from the
 * dataplane's flow events, as a real agent would build it.
 */
final class DemoTraffic {
    private DemoTraffic() {}

    static DemoReport run(MeshState state, long seed, int connections) {
        Map<FlowPath, Map<Verdict, Long>> table = new EnumMap<>(FlowPath.class);
        Map<FlowEvent.Type, Long> events = new EnumMap<>(FlowEvent.Type.class);
        Map<FlowPath, Long> bytes = new EnumMap<>(FlowPath.class);
        long fromHost = 0;
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(seed)) {
            dp.flows().subscribe(e -> {
                events.merge(e.type(), 1L, Long::sum);
                switch (e.type()) {
                    case CONNECT, TRANSLATE, DROP -> {
                        // A DROP after connect (a send re-checked against new policy) is not a connection attempt.
                        if (e.type() != FlowEvent.Type.DROP || e.bytes() == 0) {
                            table.computeIfAbsent(e.path(), p -> new EnumMap<>(Verdict.class))
                                    .merge(e.verdict(), 1L, Long::sum);
                        }
                    }
                    case CLOSE -> bytes.merge(e.path(), e.bytes(), Long::sum);
                    case REDIRECT -> {}
                }
            });
            dp.apply(state);
            List<Workload> pods = state.workloads();
            List<Node> nodes = state.nodes();
            int services = state.services().size();
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < connections; i++) {
                Source from;
                if (random.nextInt(20) == 0) {
                    from = Source.host(nodes.get(random.nextInt(nodes.size())).name());
                    fromHost++;
                } else {
                    from = Source.workload(pods.get(random.nextInt(pods.size())).key());
                }
                int target = random.nextInt(services);
                ConnectResult r = dp.connect(from, DemoCluster.vip(target), DemoCluster.SERVICE_PORT);
                if (r instanceof ConnectResult.Connected(var c)) {
                    int messages = 1 + random.nextInt(3);
                    for (int m = 0; m < messages; m++) dp.send(c, 100 + random.nextInt(16_000));
                    dp.close(c);
                }
                dp.advance(Duration.ofMillis(1 + random.nextInt(20)));
            }
        }
        Map<String, Integer> podsPerNode = new LinkedHashMap<>(); // in node order, not node-1, node-10, node-2
        state.nodes().forEach(n -> podsPerNode.put(n.name(), 0));
        state.workloads().forEach(w -> podsPerNode.merge(w.node(), 1, Integer::sum));
        return new DemoReport(table, fromHost, events, bytes, podsPerNode);
    }
}
