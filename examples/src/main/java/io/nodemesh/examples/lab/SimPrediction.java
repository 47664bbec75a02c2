package io.nodemesh.examples.lab;

import io.nodemesh.api.FlowPath;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.sim.ConnectResult;
import io.nodemesh.sim.DatagramResult;
import io.nodemesh.sim.SimulatedDataplane;
import io.nodemesh.sim.Source;

/**
 * The simulator's answer for one of the lab's connections: the same state applied to mesh-sim, the same source and
 * destination, and what it says the verdict, the path and the backend are. Where the backend is a load-balancing
 * choice among several, only membership can be compared (the kernel and the simulator hash different keys).
 */
final class SimPrediction implements AutoCloseable {
    /**
     * What the simulator says.
     *
     * @param verdict FORWARDED, DROPPED_POLICY or NO_BACKEND
     * @param path    the way its bytes take (null when refused)
     * @param backend the backend workload's key ("" when refused)
     */
    record Predicted(Verdict verdict, FlowPath path, String backend) {}

    private final SimulatedDataplane sim;

    SimPrediction(MeshState state, long seed) {
        sim = SimulatedDataplane.seeded(seed);
        sim.apply(state);
    }

    /** Follows the lab to a new state. */
    void apply(MeshState state) {
        sim.apply(state);
    }

    /** A TCP connect from workload {@code from} ({@code null}: a host process on {@code node}) to {@code ip:port}. */
    Predicted tcp(String from, String node, String ip, int port) {
        ConnectResult r = sim.connect(source(from, node), ip, port);
        return switch (r) {
            case ConnectResult.Connected(var c) -> {
                sim.close(c);
                yield new Predicted(Verdict.FORWARDED, c.path(), c.backend().workload());
            }
            case ConnectResult.Refused(Verdict v, String reason) -> new Predicted(v, null, "");
        };
    }

    /** One UDP datagram from {@code from} (or a host process on {@code node}) to {@code ip:port}. */
    Predicted udp(String from, String node, String ip, int port, int bytes) {
        DatagramResult r = sim.sendDatagram(source(from, node), ip, port, bytes);
        return switch (r) {
            case DatagramResult.Delivered d ->
                new Predicted(Verdict.FORWARDED, d.path(), d.backend().workload());
            case DatagramResult.Dropped(Verdict v, String reason) -> new Predicted(v, null, "");
        };
    }

    private static Source source(String from, String node) {
        return from == null ? Source.host(node) : Source.workload(from);
    }

    @Override
    public void close() {
        sim.close();
    }
}
