package io.nodemesh.sim.bench;

import io.nodemesh.api.StateDiff;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.sim.SimulatedDataplane;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What one small change costs the simulator's {@code apply} in a big state (a benchmark, never part of
 * {@code mvn test}): N services with M listed endpoints each (default 10,000 × 10, the Kubernetes feed's benchmark
 * cluster); each round replaces one service's endpoints, keeping every other service the same object and the order
 * stable, as the feed does. Baselines from the same run: the same apply's steps alone (full {@code validate()},
 * incremental {@code validate(previous)}, {@code StateDiff}).
 * Run: see docs/mesh-sim.md.
 */
public final class ApplyBenchmark {
    private ApplyBenchmark() {}

    public static void main(String[] args) {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int perService = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        System.out.printf(
                Locale.ROOT,
                "sim apply of one changed service: %,d services x %,d endpoints, %d rounds (first %d are warm-up)%n",
                services,
                perService,
                rounds,
                rounds / 5);
        List<Service> list = new ArrayList<>(services);
        for (int s = 0; s < services; s++) list.add(service(s, perService, 0));
        MeshState state = state(list);

        List<Double> apply = new ArrayList<>();
        List<Double> full = new ArrayList<>();
        List<Double> incremental = new ArrayList<>();
        List<Double> diff = new ArrayList<>();
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(1)) {
            long t = System.nanoTime();
            dp.apply(state);
            System.out.printf(
                    Locale.ROOT, "first apply (whole state, JIT cold): %.0f ms%n", (System.nanoTime() - t) / 1e6);
            for (int r = 0; r < rounds; r++) {
                int target = (r * 7919) % services;
                List<Service> next = new ArrayList<>(dp.state().services());
                next.set(target, service(target, perService, r + 1));
                MeshState previous = dp.state();
                MeshState candidate = state(next);
                boolean record = r >= rounds / 5;
                double a = millis(() -> dp.apply(candidate));
                double f = millis(candidate::validate);
                double i = millis(() -> candidate.validate(previous));
                double d = millis(() -> StateDiff.between(previous, candidate));
                if (dp.generation() != r + 2) throw new IllegalStateException("round " + r + " changed nothing");
                if (record) {
                    apply.add(a);
                    full.add(f);
                    incremental.add(i);
                    diff.add(d);
                }
            }
        }
        System.out.println();
        System.out.println("| measurement (one service changed) | p50 | max |");
        System.out.println("| --- | ---: | ---: |");
        row("SimulatedDataplane.apply", apply);
        row("baseline: MeshState.validate() (whole state)", full);
        row("baseline: MeshState.validate(previous) (what apply calls)", incremental);
        row("baseline: StateDiff.between (what apply calls)", diff);
    }

    private static double millis(Supplier<?> work) {
        long t = System.nanoTime();
        Object o = work.get();
        long took = System.nanoTime() - t;
        if (o == null) throw new IllegalStateException();
        return took / 1e6;
    }

    private static void row(String what, List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        System.out.printf(
                Locale.ROOT, "| %s | %.2f ms | %.2f ms |%n", what, sorted.get(sorted.size() / 2), sorted.getLast());
    }

    private static MeshState state(List<Service> services) {
        List<Node> nodes = List.of(
                Node.of("node-0", "192.168.0.1", "10.128.0.0/16"), Node.of("node-1", "192.168.0.2", "10.129.0.0/16"));
        return new MeshState(nodes, List.of(), services, List.of(), List.of(), null);
    }

    private static Service service(int i, int perService, int generation) {
        List<Endpoint> endpoints = new ArrayList<>(perService);
        for (int e = 0; e < perService; e++) {
            int n = i * perService + e + generation;
            endpoints.add(Endpoint.ready("10." + (64 + (n >> 16 & 63)) + "." + (n >> 8 & 255) + "." + (n & 255), ""));
        }
        return new Service(
                "bench",
                "svc-" + i,
                List.of("10.96." + (i >> 8 & 255) + "." + (i & 255)),
                List.of(ServicePort.tcp(80, 8080)),
                endpoints,
                Map.of(),
                LoadBalancing.RANDOM,
                SessionAffinity.NONE,
                ServiceLayer.L4);
    }
}
