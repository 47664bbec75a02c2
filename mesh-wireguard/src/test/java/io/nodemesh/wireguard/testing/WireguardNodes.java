package io.nodemesh.wireguard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.contract.Privileges;
import io.nodemesh.wireguard.WireguardDataplane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * The root tests' mesh: a {@link MeshTopology} whose nodes each run a {@code wireguard} dataplane, with an echo server
 * in each node's pod. Closing detaches every dataplane, uninstalls what each left, removes the topology and checks that nothing of the run is left.
 */
public final class WireguardNodes implements AutoCloseable {
    private final MeshTopology topology;
    private final List<WireguardDataplane> dataplanes = new ArrayList<>();
    private final List<EchoServer> servers = new ArrayList<>();
    private final List<DataplaneOptions> options = new ArrayList<>();

    private WireguardNodes(MeshTopology topology) {
        this.topology = topology;
    }

    /**
     * Gates the test on what wireguard-go nodes need (root, wireguard-go, nftables, /dev/net/tun) and the given extra
     * tools, as pairs of binary and the Debian package that has it.
     */
    public static void require(String... binaryAndPackage) {
        Privileges.requireRoot();
        Privileges.requireBinary("wireguard-go", "wireguard-go");
        Privileges.requireBinary("nft", "nftables");
        for (int i = 0; i + 1 < binaryAndPackage.length; i += 2)
            Privileges.requireBinary(binaryAndPackage[i], binaryAndPackage[i + 1]);
        Privileges.require(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
    }

    /** {@code nodes} nodes, no dataplane open yet. */
    public static WireguardNodes create(int nodes) throws IOException {
        return new WireguardNodes(MeshTopology.create(nodes));
    }

    public MeshTopology topology() {
        return topology;
    }

    /** Opens every node's dataplane with its options as {@code options} changes them, and starts the pods' echo servers. */
    public WireguardNodes open(UnaryOperator<DataplaneOptions> options) throws IOException {
        return open((node, base) -> options.apply(base));
    }

    /** As {@link #open(UnaryOperator)}, with options that differ by node (numbered from 1). */
    public WireguardNodes open(BiFunction<Integer, DataplaneOptions, DataplaneOptions> options) throws IOException {
        for (int i = 1; i <= topology.size(); i++) {
            DataplaneOptions o = options.apply(i, topology.options(i));
            this.options.add(o);
            dataplanes.add((WireguardDataplane) Dataplanes.open("wireguard", o));
            servers.add(EchoServer.startIn(topology.podNs(i)));
        }
        return this;
    }

    /** Node {@code i}'s dataplane, from 1. */
    public WireguardDataplane dp(int i) {
        return dataplanes.get(i - 1);
    }

    public List<WireguardDataplane> dataplanes() {
        return List.copyOf(dataplanes);
    }

    @Override
    public void close() throws IOException {
        for (EchoServer s : servers) s.close();
        try {
            for (WireguardDataplane dp : dataplanes) dp.close(); // detaches: the device keeps running
        } finally {
            for (DataplaneOptions o : options) WireguardDataplane.uninstall(o);
            topology.close();
        }
        assertThat(MeshTopology.leftovers()).as("objects left after the test").isEmpty();
    }
}
