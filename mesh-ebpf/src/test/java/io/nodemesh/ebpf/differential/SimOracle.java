package io.nodemesh.ebpf.differential;

import io.nodemesh.api.FlowPath;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.sim.ConnectResult;
import io.nodemesh.sim.DatagramResult;
import io.nodemesh.sim.SimConnection;
import io.nodemesh.sim.SimulatedDataplane;
import io.nodemesh.sim.Source;
import io.nodemesh.sim.UdpSocket;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The simulator as the reference: every outcome an attempt can have there. Where the choice of backend is random
 * (several ready backends), the two backends draw differently, so the attempt is repeated on the simulator until every
 * backend it may pick has shown up; the kernel's one outcome must then be among them. Where only one outcome is
 * possible (one ready backend, a refusal) that is an exact comparison.
 */
final class SimOracle implements AutoCloseable {
    /** Enough repeats that a uniform choice among 12 endpoints misses one with p < 1e-8. */
    private static final int REPEATS = 250;

    private final SimulatedDataplane sim = SimulatedDataplane.seeded(7);
    private final String node;

    SimOracle(String node) {
        this.node = node;
    }

    void apply(MeshState state) {
        sim.apply(state);
    }

    Set<Outcome> possible(Attempt a) {
        Source source = a.fromHost() ? Source.host(node) : Source.workload(a.client());
        Set<Outcome> outcomes = new LinkedHashSet<>();
        for (int i = 0; i < REPEATS; i++) {
            if (a.udp()) {
                DatagramResult result;
                if (a.connectedUdp()) {
                    UdpSocket socket = sim.connectUdp(source, a.ip(), a.port());
                    result = sim.send(socket, 6);
                    sim.close(socket);
                } else {
                    result = sim.sendDatagram(source, a.ip(), a.port(), 6);
                }
                switch (result) {
                    case DatagramResult.Delivered d ->
                        outcomes.add(new Outcome.Reached(d.backend().workload(), false));
                    case DatagramResult.Dropped d -> outcomes.add(new Outcome.Refused(d.verdict()));
                }
                continue;
            }
            ConnectResult r = sim.connect(source, a.ip(), a.port());
            switch (r) {
                case ConnectResult.Connected(SimConnection c) -> {
                    outcomes.add(new Outcome.Reached(c.backend().workload(), c.path() == FlowPath.SOCKET_REDIRECT));
                    sim.close(c);
                }
                case ConnectResult.Refused(var verdict, var reason) -> outcomes.add(new Outcome.Refused(verdict));
            }
        }
        return outcomes;
    }

    @Override
    public void close() {
        sim.close();
    }
}
