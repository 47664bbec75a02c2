package io.nodemesh.contract;

import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Workload;
import java.util.List;

/**
 * What a backend supplies so the contract scenarios can run on it: a dataplane, nodes, workloads that really listen,
 * and clients that really connect. For the simulator all of it is simulated; for the kernel backend workloads are
 * network-namespace pods with real sockets.
 * <p>
 * Every workload started by a harness accepts connections on each of its {@link WorkloadSpec#ports()} and answers each
 * connection (TCP) or datagram (UDP) with its own key ({@code namespace/name}), so a client learns which backend it reached.
 * Closing the harness removes everything it made.
 */
public interface ContractHarness extends AutoCloseable {
    /** The dataplane under test; the harness opened it and closes it. */
    MeshDataplane dataplane();

    /** The nodes workloads can be placed on (at least one), with addresses and pod CIDRs the harness chose. */
    List<Node> nodes();

    /** Starts a listening workload; returns it as it belongs in a {@code MeshState} (IPs and placement filled in). */
    Workload startWorkload(WorkloadSpec spec);

    /** A client inside {@code workload}. */
    Client clientIn(Workload workload);

    /** A process on {@code node} that belongs to no workload. */
    Client hostClient(String node);

    /**
     * Opens a TCP connection from {@code client} to {@code ip:port}, reads the answer and closes. Each call uses a new
     * connection and a new source port.
     */
    ConnectOutcome connect(Client client, String ip, int port);

    /**
     * Sends one UDP datagram from a new unconnected socket of {@code client} to {@code ip:port} and waits for the answer
     * (workloads answer UDP on each of their {@link WorkloadSpec#ports()} too). The answer must come from
     * {@code ip:port} itself — for a VIP that is the kernel's reverse translation — and is then
     * {@link ConnectOutcome.Reached} with the key the workload answered; no answer, or one from another address, is
     * {@link ConnectOutcome.Failed} saying so.
     * <p>
     * Optional: a harness that cannot drive UDP keeps this default, and the UDP scenarios skip on it.
     *
     * @throws UnsupportedOperationException if this harness does not drive UDP
     */
    default ConnectOutcome exchangeUdp(Client client, String ip, int port) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not drive UDP");
    }

    @Override
    void close();
}
