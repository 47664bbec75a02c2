package io.nodemesh.sim;

import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Workload;
import io.nodemesh.contract.Client;
import io.nodemesh.contract.ConnectOutcome;
import io.nodemesh.contract.ContractHarness;
import io.nodemesh.contract.WorkloadSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract harness on the simulator: three simulated nodes; a "started" workload is an address in its node's pod
 * CIDR plus the ports it listens on, which the harness enforces (a connection translated to a port nobody listens on
 * is refused, as a real kernel would answer RST). Workloads listen on their ports for UDP too.
 */
final class SimHarness implements ContractHarness {
    static final List<Node> NODES = List.of(
            Node.of("node-a", "192.168.50.1", "10.244.0.0/24"),
            Node.of("node-b", "192.168.50.2", "10.244.1.0/24"),
            Node.of("node-c", "192.168.50.3", "10.244.2.0/24"));

    private final SimulatedDataplane dataplane;
    private final Map<String, List<Integer>> listening = new HashMap<>();
    private final Map<String, Integer> nextHost = new HashMap<>();

    SimHarness(long seed) {
        this.dataplane = SimulatedDataplane.seeded(seed);
    }

    @Override
    public MeshDataplane dataplane() {
        return dataplane;
    }

    @Override
    public List<Node> nodes() {
        return NODES;
    }

    @Override
    public Workload startWorkload(WorkloadSpec spec) {
        int n = NODES.indexOf(NODES.stream()
                .filter(x -> x.name().equals(spec.node()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + spec.node() + " in the sim harness")));
        int host = nextHost.merge(spec.node(), 1, Integer::sum) + 9;
        String ip = "10.244." + n + "." + host;
        listening.put(spec.key(), spec.ports());
        return new Workload(
                spec.namespace(), spec.name(), spec.node(), List.of(ip), spec.identity(), spec.labels(), null);
    }

    @Override
    public Client clientIn(Workload workload) {
        return new Client(workload.node(), workload.key(), workload.ips().getFirst());
    }

    @Override
    public Client hostClient(String node) {
        Node n = NODES.stream().filter(x -> x.name().equals(node)).findFirst().orElseThrow();
        return new Client(node, "", n.addresses().getFirst());
    }

    @Override
    public ConnectOutcome connect(Client client, String ip, int port) {
        ConnectResult result = dataplane.connect(source(client), ip, port);
        if (result instanceof ConnectResult.Refused(var verdict, String reason)) {
            return new ConnectOutcome.Failed(verdict + ": " + reason);
        }
        SimConnection c = result.connection();
        try {
            String backend = c.backend().workload();
            if (!listening.getOrDefault(backend, List.of()).contains(c.backend().port())) {
                return new ConnectOutcome.Failed("ECONNREFUSED: nothing listens on " + c.backend());
            }
            SendResult sent = dataplane.send(c, 16);
            if (sent instanceof SendResult.Dropped(var verdict, String reason))
                return new ConnectOutcome.Failed(verdict + ": " + reason);
            return new ConnectOutcome.Reached(backend);
        } finally {
            dataplane.close(c);
        }
    }

    /** One datagram from a new socket; answered when the backend listens on the translated port, from the VIP. */
    @Override
    public ConnectOutcome exchangeUdp(Client client, String ip, int port) {
        DatagramResult result = dataplane.sendDatagram(source(client), ip, port, 16);
        return switch (result) {
            case DatagramResult.Dropped(var verdict, String reason) ->
                new ConnectOutcome.Failed(verdict + ": " + reason);
            case DatagramResult.Delivered d -> {
                String backend = d.backend().workload();
                if (!listening
                        .getOrDefault(backend, List.of())
                        .contains(d.backend().port())) {
                    yield new ConnectOutcome.Failed("ECONNREFUSED: nothing listens on UDP " + d.backend());
                }
                if (!d.replyFrom().ip().equals(ip) || d.replyFrom().port() != port) {
                    yield new ConnectOutcome.Failed(
                            "the reply came from " + d.replyFrom() + ", not " + ip + ":" + port);
                }
                yield new ConnectOutcome.Reached(backend);
            }
        };
    }

    private static Source source(Client client) {
        return client.isHostProcess() ? new Source.Host(client.node(), client.ip()) : new Source.Pod(client.workload());
    }

    @Override
    public void close() {
        dataplane.close();
    }
}
