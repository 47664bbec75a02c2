package io.nodemesh.examples.embedding;

import io.nodemesh.api.ApplyException;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.Flows;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.spi.DataplaneProvider;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.sim.SimulatedDataplane;
import java.io.PrintStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Shows: composing backends with {@code Dataplanes.compose}. It first lists every installed backend with its
 * availability (an unavailable one says why: "needs root", "libbpf.so.1 not found"…) and which installed backend
 * would serve each capability if the real ones were composed ({@code ebpf} for L4, {@code envoy} for L7, {@code wireguard} for the
 * wire). Then, runnable anywhere, it composes the simulator with a small backend written here — one that programs a
 * device with room for only a few services — to show what composition guarantees: every part gets the whole state,
 * and when one part fails, the parts that had taken the new state are rolled back, so the old state keeps serving.
 * <p>
 * Run: {@code java -cp <examples + deps> io.nodemesh.examples.embedding.ComposedDataplanesExample}
 */
public final class ComposedDataplanesExample {
    private ComposedDataplanesExample() {}

    /** What a run saw. */
    public record Outcome(
            Map<String, String> availability, String failure, MeshState simStateAfterFailure, MeshState goodState) {}

    public static void main(String[] args) {
        run(System.out);
    }

    public static Outcome run(PrintStream out) {
        Map<String, String> availability = new TreeMap<>();
        Dataplanes.available()
                .forEach((name, a) -> availability.put(
                        name,
                        a instanceof Availability.Unavailable(String reason) ? "unavailable: " + reason : "available"));
        out.println("installed backends:");
        availability.forEach((name, a) -> out.printf("  %-10s %s%n", name, a));
        // The production composition: the first backend in this order that has a capability serves it.
        Map<Capability, String> plan = new TreeMap<>();
        for (String name : List.of("ebpf", "envoy", "wireguard", "sim")) {
            DataplaneProvider p = Dataplanes.providers().get(name);
            if (p != null) p.capabilities().forEach(c -> plan.putIfAbsent(c, name));
        }
        out.println("composing ebpf+envoy+wireguard would give: " + plan);

        SimulatedDataplane sim = SimulatedDataplane.open(DataplaneOptions.DEFAULTS);
        SmallDevice device = new SmallDevice(5);
        try (MeshDataplane both = Dataplanes.compose(List.<MeshDataplane>of(sim, device))) {
            out.println("composed " + both.name() + "; capability -> backend: "
                    + new TreeMap<>(Dataplanes.assignment(List.of(sim, device))));

            MeshState good = ExampleMesh.builder().build();
            ApplyResult first = both.apply(good);
            out.println("applied generation " + first.generation() + " with "
                    + first.changes().size() + " changes to both parts");

            // One service too many for the device: its apply fails, the simulator is rolled back to `good`.
            MeshState tooBig = ExampleMesh.builder()
                    .service(Service.builder(ExampleMesh.NS, "extra")
                            .vip("10.96.0.99")
                            .tcp(80, 8080)
                            .select("app", "cart")
                            .build())
                    .build();
            String failure;
            try {
                both.apply(tooBig);
                failure = "";
            } catch (ApplyException e) {
                failure = e.getMessage();
                out.println("apply failed: " + failure);
            }
            out.println("the simulator still serves the previous state: "
                    + sim.state().equals(good) + " (" + sim.state().services().size() + " services)");
            return new Outcome(availability, failure, sim.state(), good);
        }
    }

    /**
     * A backend for a device with room for {@code capacity} services: it claims no traffic capability, only keeps the
     * state, and fails (as a real device would, mid-programming) when a state needs more room. A real backend would
     * check such a limit in validation and throw {@code InvalidStateException}; this one fails late on purpose.
     */
    static final class SmallDevice implements MeshDataplane {
        private final int capacity;
        private final FlowHub hub = new FlowHub();
        private MeshState state = MeshState.EMPTY;
        private long generation;

        SmallDevice(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public String name() {
            return "small-device";
        }

        @Override
        public synchronized ApplyResult apply(MeshState next) {
            if (next.services().size() > capacity) {
                throw new ApplyException(
                        "device table full: " + next.services().size() + " services, room for " + capacity, null);
            }
            List<ApplyResult.Change> changes = StateDiff.between(state, next);
            if (!changes.isEmpty()) generation++;
            state = next;
            return new ApplyResult(generation, changes);
        }

        @Override
        public synchronized MeshState state() {
            return state;
        }

        @Override
        public Flows flows() {
            return hub;
        }

        @Override
        public Set<Capability> capabilities() {
            return EnumSet.noneOf(Capability.class);
        }

        @Override
        public List<BackendHealth> health() {
            return List.of(BackendHealth.nothingToReport(name()));
        }

        @Override
        public void close() {}
    }
}
