package io.nodemesh.wireguard.testing;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Node;
import io.nodemesh.netlab.Addresses;
import io.nodemesh.netlab.Bridge;
import io.nodemesh.netlab.LabPrefix;
import io.nodemesh.netlab.Links;
import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.Routes;
import io.nodemesh.netlab.StaleSweep;
import io.nodemesh.netlab.VethPair;
import io.nodemesh.wireguard.WireguardSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A small cluster in network namespaces: an underlay namespace with bridge {@code br0} (10.211.0.0/24), N node
 * namespaces each on the bridge at 10.211.0.i, and behind each node one pod namespace at 10.210.i.10 (pod CIDR
 * 10.210.i.0/24, gateway 10.210.i.1 on the node). Nodes also have plain underlay routes to each other's pod CIDRs
 * (metric 1000) — the cleartext path a routed cluster has, which the tunnel must override and strict mode must block.
 * <p>
 * Everything is named {@code nmw<pid>…}; stale objects of dead runs are swept on creation, and {@link #close()} removes
 * every namespace, link, socket and process it made.
 */
public final class MeshTopology implements AutoCloseable {
    public static final LabPrefix LAB = LabPrefix.forThisProcess("nmw");
    public static final String PREFIX = LAB.value();
    public static final String UNDERLAY_BRIDGE = "br0";
    private static final Path SOCKETS = Path.of("/var/run/wireguard");
    /** Where the backend keeps a detached device's pid and log. */
    private static final Path RUNTIME = Path.of("/run/nodemesh/wireguard");

    private final int nodes;
    private final Path keyDir;
    private final List<Netns> namespaces = new ArrayList<>();

    private MeshTopology(int nodes) throws IOException {
        this.nodes = nodes;
        this.keyDir = Files.createTempDirectory("nmw-keys");
    }

    public static MeshTopology create(int nodes) throws IOException {
        sweepStale();
        MeshTopology t = new MeshTopology(nodes);
        try {
            t.build();
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private void build() {
        Netns u = addNs(underlayNs());
        Bridge underlay = Bridge.create(u, UNDERLAY_BRIDGE);
        for (int i = 1; i <= nodes; i++) {
            Netns n = addNs(nodeNs(i));
            Netns p = addNs(podNs(i));
            VethPair.create(n, "eth0", u, "n" + i);
            underlay.attach("n" + i);
            Addresses.add(n, "eth0", nodeAddress(i) + "/24");
            Links.up(n, "eth0");
            VethPair.create(p, "eth0", n, "pod0");
            Addresses.add(n, "pod0", "10.210." + i + ".1/24");
            Links.up(n, "pod0");
            Addresses.add(p, "eth0", podIp(i) + "/24");
            Links.up(p, "eth0");
            Routes.viaGateway(p, "default", "10.210." + i + ".1");
            n.execChecked("sysctl", "-qw", "net.ipv4.ip_forward=1");
        }
        for (int i = 1; i <= nodes; i++) {
            for (int j = 1; j <= nodes; j++) {
                if (i != j) Routes.viaGateway(Netns.named(nodeNs(i)), podCidr(j), nodeAddress(j), 1000);
            }
        }
    }

    private Netns addNs(String name) {
        Netns ns = Netns.create(name);
        namespaces.add(ns);
        // No IPv6: keeps neighbour discovery chatter off the underlay capture.
        ns.execChecked("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        return ns;
    }

    public static void ip(String ns, String... args) {
        Netns.named(ns).ipChecked(args);
    }

    public int size() {
        return nodes;
    }

    public String underlayNs() {
        return PREFIX + "u";
    }

    public String nodeNs(int i) {
        return PREFIX + "n" + i;
    }

    public String podNs(int i) {
        return PREFIX + "p" + i;
    }

    public String wgIface(int i) {
        return PREFIX + "w" + i;
    }

    public String nodeName(int i) {
        return "node-" + i;
    }

    public static String nodeAddress(int i) {
        return "10.211.0." + i;
    }

    public static String podIp(int i) {
        return "10.210." + i + ".10";
    }

    public static String podCidr(int i) {
        return "10.210." + i + ".0/24";
    }

    public Node meshNode(int i) {
        return Node.of(nodeName(i), nodeAddress(i), podCidr(i));
    }

    /** Options for the wireguard backend on node i: its namespace, its interface, a key file in a temp dir. */
    public DataplaneOptions options(int i) {
        return DataplaneOptions.forNode(nodeName(i))
                .with(WireguardSettings.NETNS, nodeNs(i))
                .with(WireguardSettings.INTERFACE, wgIface(i))
                .with(
                        WireguardSettings.KEY_FILE,
                        keyDir.resolve("node-" + i + ".key").toString())
                .with(WireguardSettings.ADDRESS, "10.210." + i + ".254/32")
                .with(WireguardSettings.STRICT_CIDRS, "10.210.0.0/16");
    }

    public Path keyDir() {
        return keyDir;
    }

    /** Removes everything: processes in our namespaces, the namespaces (their links go with them), sockets, keys. */
    @Override
    public void close() {
        for (Netns ns : namespaces.reversed()) ns.close();
        namespaces.clear();
        StaleSweep ours = StaleSweep.matching(LAB::owns);
        ours.rootLinks();
        ours.files(SOCKETS);
        ours.files(RUNTIME);
        try (Stream<Path> files = Files.walk(keyDir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir
        }
    }

    /** Names of our objects still present: namespaces, root links, UAPI sockets, processes in our namespaces. */
    public static List<String> leftovers() {
        List<String> left = new ArrayList<>();
        for (String ns : Netns.list()) if (LAB.owns(ns)) left.add("netns " + ns);
        for (String link : Links.names(Netns.root())) if (LAB.owns(link)) left.add("link " + link);
        try (Stream<Path> s = Files.list(SOCKETS)) {
            s.filter(p -> LAB.owns(p.getFileName().toString())).forEach(p -> left.add("socket " + p));
        } catch (IOException ignored) {
            // no socket dir
        }
        try (Stream<Path> s = Files.list(RUNTIME)) {
            s.filter(p -> LAB.owns(p.getFileName().toString())).forEach(p -> left.add("file " + p));
        } catch (IOException ignored) {
            // no runtime dir
        }
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("wireguard-go -f " + PREFIX))
                .forEach(p -> left.add("process " + p.pid()));
        return left;
    }

    /** Deletes objects of runs whose JVM is gone (their pid is in the name), and this JVM's own earlier leftovers. */
    public static void sweepStale() {
        StaleSweep sweep = StaleSweep.matching(LAB.staleRuns().or(LAB::owns));
        sweep.namespaces();
        sweep.rootLinks();
        sweep.files(SOCKETS);
        sweep.files(RUNTIME);
    }
}
