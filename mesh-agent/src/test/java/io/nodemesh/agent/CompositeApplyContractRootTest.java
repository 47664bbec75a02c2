package io.nodemesh.agent;

import static io.nodemesh.agent.NodeLeftovers.removeTree;
import static io.nodemesh.agent.NodeLeftovers.run;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.contract.ApplyContract;
import io.nodemesh.contract.Privileges;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.wireguard.WireguardDataplane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The apply contract on the node as the agent composes it: eBPF (its own pin directory and cgroup), the node proxy's
 * xDS server and wireguard-go (in a namespace of its own) behind one {@link MeshDataplane}. A change must reach every
 * part or none, and each part's health must be readable. Everything is uninstalled after each test, pass or fail.
 */
class CompositeApplyContractRootTest extends ApplyContract {
    static final String PREFIX = "nmc" + ProcessHandle.current().pid();
    static final Path PINS = NodeLeftovers.BPFFS.resolve(PREFIX);
    static final Path CGROUP = NodeLeftovers.CGROUP2.resolve(PREFIX);

    private final List<MeshDataplane> parts = new ArrayList<>();
    private DataplaneOptions options;
    private boolean netns;

    @Override
    protected MeshDataplane open() {
        Privileges.requireRoot();
        Privileges.requireBinary("wireguard-go", "wireguard-go");
        Privileges.require(Files.isDirectory(CGROUP.getParent()), "cgroup v2 not mounted at " + CGROUP.getParent());
        for (String b : List.of("ebpf", "envoy", "wireguard")) {
            Availability a = Dataplanes.available().get(b);
            Privileges.require(a != null && a.isAvailable(), "the " + b + " backend is unavailable: " + a);
        }
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
            Path keys = Files.createTempDirectory(PREFIX);
            options = DataplaneOptions.forNode(NODE)
                    .with("ebpf.pinRoot", PINS.toString())
                    .with("ebpf.cgroupRoot", CGROUP.toString())
                    .with("envoy.xdsPort", "0")
                    .with("wireguard.netns", PREFIX)
                    .with("wireguard.interface", PREFIX + "w")
                    .with("wireguard.listenPort", "51998")
                    .with("wireguard.keyFile", keys.resolve("wg.key").toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (String b : List.of("ebpf", "envoy", "wireguard")) parts.add(Dataplanes.open(b, only(b, options)));
        return Dataplanes.compose(parts);
    }

    @AfterEach
    void uninstallEverything() throws IOException {
        try {
            for (MeshDataplane p : parts) {
                if (p instanceof EbpfDataplane ebpf) ebpf.uninstall();
                else p.close();
            }
            if (options != null) WireguardDataplane.uninstall(only("wireguard", options));
        } finally {
            if (netns) run("ip", "netns", "del", PREFIX);
            removeTree(PINS);
            Files.deleteIfExists(CGROUP);
        }
    }

    /** The options of one backend, as the agent hands each its own. */
    private static DataplaneOptions only(String backend, DataplaneOptions all) {
        Map<String, String> mine = new HashMap<>();
        all.properties().forEach((k, v) -> {
            if (k.startsWith(backend + ".")) mine.put(k, v);
        });
        return new DataplaneOptions(all.node(), mine);
    }
}
