package io.nodemesh.agent;

import static io.nodemesh.agent.NodeLeftovers.removeTree;
import static io.nodemesh.agent.NodeLeftovers.run;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.contract.ApplyContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apply contract on the node as the agent composes it: eBPF (its own pin directory and cgroup), the node proxy's
 * xDS server and wireguard-go (in a namespace of its own) behind one {@link MeshDataplane}. A change must reach every
 * part or none, and each part's health must be readable. It is opened and stopped as the agent does
 * ({@link NodeDataplane}); everything is uninstalled after each test, pass or fail.
 */
class CompositeApplyContractRootTest extends ApplyContract {
    static final String PREFIX = "nmc" + ProcessHandle.current().pid();
    static final Path PINS = NodeLeftovers.BPFFS.resolve(PREFIX);
    static final Path CGROUP = NodeLeftovers.CGROUP2.resolve(PREFIX);

    @TempDir
    Path keys;

    private NodeDataplane node;
    private boolean netns;

    @Override
    protected MeshDataplane open() {
        NodeLeftovers.requireNode(List.of("ebpf", "envoy", "wireguard"));
        try {
            NodeLeftovers.sweepStale("nmc");
            Files.createDirectories(CGROUP);
            run("ip", "netns", "add", PREFIX);
            netns = true;
            run("ip", "-n", PREFIX, "link", "set", "lo", "up");
            // An underlay for the contract's node addresses, so the peer node is routable as the backend checks.
            run("ip", "-n", PREFIX, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
            run("ip", "-n", PREFIX, "link", "set", "eth1", "up");
            run("ip", "-n", PREFIX, "address", "add", "10.250.1.1/24", "dev", "eth0");
            run("ip", "-n", PREFIX, "link", "set", "eth0", "up");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        DataplaneOptions options = DataplaneOptions.forNode(NODE)
                .with("ebpf.pinRoot", PINS.toString())
                .with("ebpf.cgroupRoot", CGROUP.toString())
                .with("envoy.xdsPort", "0")
                .with("wireguard.netns", PREFIX)
                .with("wireguard.interface", PREFIX + "w")
                .with("wireguard.listenPort", "51998")
                .with("wireguard.keyFile", keys.resolve("wg.key").toString());
        switch (NodeDataplane.open(List.of("ebpf", "envoy", "wireguard"), options)) {
            case NodeDataplane.Opening.Opened(NodeDataplane opened) -> node = opened;
            case NodeDataplane.Opening.Failed(int code, List<String> reasons) ->
                throw new AssertionError("cannot open the node: " + reasons);
        }
        return node.dataplane();
    }

    @AfterEach
    void uninstallEverything() throws IOException {
        try {
            if (node != null) node.stop(true); // as agent --uninstall: eBPF detached and unpinned, wireguard-go gone
        } finally {
            if (netns) run("ip", "netns", "del", PREFIX);
            removeTree(PINS);
            Files.deleteIfExists(CGROUP);
        }
    }
}
