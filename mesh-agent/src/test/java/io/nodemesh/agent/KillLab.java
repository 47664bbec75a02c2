package io.nodemesh.agent;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.netlab.Addresses;
import io.nodemesh.netlab.Bridge;
import io.nodemesh.netlab.Cgroups;
import io.nodemesh.netlab.LabPrefix;
import io.nodemesh.netlab.Links;
import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.Routes;
import io.nodemesh.netlab.StaleSweep;
import io.nodemesh.netlab.VethPair;
import io.nodemesh.wireguard.WireguardDataplane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Two nodes in network namespaces for the agent-kill tests, all named {@code nmk<pid>…}: an underlay namespace with
 * bridge {@code br0} (10.213.0.0/24); node A (10.213.0.1, pod CIDR 10.214.1.0/24) with pods a1 and a2 on a bridge;
 * node B (10.213.0.2, pod CIDR 10.214.2.0/24) with pod b1. Each node also has a plain underlay route to the other's
 * pod CIDR (metric 1000): the cleartext path WireGuard must override and strict mode must block. For node A's eBPF:
 * a bpffs pin directory and a cgroup-v2 directory the programs attach at.
 * <p>
 * {@link #close()} removes every namespace (and the processes inside, wireguard-go among them), both nodes' WireGuard
 * installations, the pins and the cgroup; {@link #leftovers()} names whatever is still there.
 */
final class KillLab implements AutoCloseable {
    static final LabPrefix LAB = LabPrefix.forThisProcess("nmk");
    static final String PREFIX = LAB.value();
    static final Path BPFFS = Path.of("/sys/fs/bpf");
    static final Path CGROUP2 = Path.of("/sys/fs/cgroup/unified");
    static final Path UAPI_SOCKETS = Path.of("/var/run/wireguard");
    static final Path WG_RUNTIME = Path.of("/run/nodemesh/wireguard");
    static final String UNDERLAY_BRIDGE = "br0";
    static final int WG_PORT = 51820;

    static final String NODE_A_IP = "10.213.0.1";
    static final String NODE_B_IP = "10.213.0.2";
    static final String UNDERLAY_BROADCAST = "10.213.0.255";
    static final String CIDR_A = "10.214.1.0/24";
    static final String CIDR_B = "10.214.2.0/24";
    static final String POD_A1 = "10.214.1.10";
    static final String POD_A2 = "10.214.1.11";
    static final String POD_B1 = "10.214.2.10";

    private final List<Netns> namespaces = new ArrayList<>();
    private final Path keyDir;
    final Path pins = BPFFS.resolve(PREFIX);
    final Path cgroup = CGROUP2.resolve(PREFIX);

    private KillLab() throws IOException {
        keyDir = Files.createTempDirectory(PREFIX + "-keys");
    }

    static KillLab create() throws IOException {
        sweepStale();
        KillLab lab = new KillLab();
        try {
            lab.build();
            return lab;
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void build() throws IOException {
        Netns u = add(underlayNs());
        Bridge underlay = Bridge.create(u, UNDERLAY_BRIDGE);
        Netns a = add(nodeNs('a'));
        Netns b = add(nodeNs('b'));
        node(u, underlay, a, "na", NODE_A_IP);
        node(u, underlay, b, "nb", NODE_B_IP);

        Bridge pods = Bridge.create(a, "pods");
        Addresses.add(a, "pods", "10.214.1.1/24");
        pod(a, "pa1", podNs("a1"), POD_A1, "10.214.1.1");
        pods.attach("pa1");
        pod(a, "pa2", podNs("a2"), POD_A2, "10.214.1.1");
        pods.attach("pa2");
        pod(b, "pb1", podNs("b1"), POD_B1, "10.214.2.1");
        Addresses.add(b, "pb1", "10.214.2.1/24");

        Routes.viaGateway(a, CIDR_B, NODE_B_IP, 1000);
        Routes.viaGateway(b, CIDR_A, NODE_A_IP, 1000);
        Files.createDirectories(cgroup);
    }

    private void node(Netns underlayNs, Bridge underlay, Netns node, String port, String ip) {
        VethPair.create(node, "eth0", underlayNs, port);
        underlay.attach(port);
        Addresses.add(node, "eth0", ip + "/24");
        Links.up(node, "eth0");
        node.execChecked("sysctl", "-qw", "net.ipv4.ip_forward=1");
    }

    private void pod(Netns node, String hostSide, String name, String ip, String gateway) {
        Netns pod = add(name);
        VethPair.create(pod, "eth0", node, hostSide);
        Links.up(node, hostSide);
        Addresses.add(pod, "eth0", ip + "/24");
        Links.up(pod, "eth0");
        Routes.viaGateway(pod, "default", gateway);
    }

    private Netns add(String name) {
        Netns ns = Netns.create(name);
        namespaces.add(ns);
        // No IPv6: keeps neighbour discovery chatter off the underlay capture.
        ns.execChecked("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        return ns;
    }

    String underlayNs() {
        return PREFIX + "u";
    }

    String nodeNs(char node) {
        return PREFIX + node;
    }

    String podNs(String pod) {
        return PREFIX + pod;
    }

    String wgInterface(char node) {
        return PREFIX + "w" + node;
    }

    Path keyFile(char node) {
        return keyDir.resolve("node-" + node + ".key");
    }

    /** Node B's wireguard backend, opened in the test JVM: its namespace, interface, key, strict-mode range. */
    DataplaneOptions nodeBOptions() {
        return DataplaneOptions.forNode("node-b")
                .with("wireguard.netns", nodeNs('b'))
                .with("wireguard.interface", wgInterface('b'))
                .with("wireguard.keyFile", keyFile('b').toString())
                .with("wireguard.listenPort", Integer.toString(WG_PORT))
                .with("wireguard.address", "10.214.2.254/32")
                .with("wireguard.strictCidrs", "10.214.0.0/16")
                .with("wireguard.keepalive", "5");
    }

    /** What {@code --uninstall} would be given for node A's wireguard: enough to find and remove its device. */
    DataplaneOptions nodeAWireguardOptions() {
        return DataplaneOptions.forNode("node-a")
                .with("wireguard.netns", nodeNs('a'))
                .with("wireguard.interface", wgInterface('a'))
                .with("wireguard.keyFile", keyFile('a').toString());
    }

    /**
     * The agent's flags for node A: eBPF on this lab's pins and cgroup, wireguard-go in node A's namespace, strict
     * mode guarding all pod CIDRs, the state file, and {@code listen} for its HTTP endpoints.
     */
    List<String> agentFlags(Path stateFile, String listen) {
        return List.of(
                "--source",
                "file",
                "--state",
                stateFile.toString(),
                "--node",
                "node-a",
                "--backend",
                "ebpf,wireguard",
                "--listen",
                listen,
                "--pin-path",
                pins.toString(),
                "--cgroup-root",
                cgroup.toString(),
                "--wireguard-interface",
                wgInterface('a'),
                "--wireguard-port",
                Integer.toString(WG_PORT),
                "--wireguard-key-file",
                keyFile('a').toString(),
                "--option",
                "wireguard.netns=" + nodeNs('a'),
                "--option",
                "wireguard.address=10.214.1.254/32",
                "--option",
                "wireguard.strictCidrs=10.214.0.0/16",
                "--option",
                "wireguard.keepalive=5",
                "--option",
                // the eBPF applied-state record: in the lab's own directory, removed with it
                "ebpf.stateDir=" + keyDir.resolve("ebpf-state"));
    }

    /** The pids of the wireguard-go serving node {@code node}'s interface. */
    List<Long> wireguardGo(char node) {
        String iface = wgInterface(node);
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").matches(".*wireguard-go.* " + iface + "( .*)?$"))
                .map(ProcessHandle::pid)
                .toList();
    }

    /** Removes everything; each step runs even if an earlier one failed, and the first failure is rethrown. */
    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        step(failures, () -> WireguardDataplane.uninstall(nodeAWireguardOptions()));
        step(failures, () -> WireguardDataplane.uninstall(nodeBOptions()));
        for (Netns ns : namespaces.reversed()) step(failures, ns::close);
        namespaces.clear();
        step(failures, () -> NodeLeftovers.removeTree(pins));
        step(failures, () -> Cgroups.removeTree(cgroup));
        step(failures, () -> StaleSweep.matching(LAB::owns).files(UAPI_SOCKETS));
        step(failures, () -> StaleSweep.matching(LAB::owns).files(WG_RUNTIME));
        step(failures, () -> NodeLeftovers.removeTree(keyDir));
        step(failures, KillLab::removeLockFiles);
        if (!failures.isEmpty()) throw failures.getFirst();
    }

    /** The agent's installation lock files name our pin root and interface; a SIGKILLed agent leaves its own. */
    private static void removeLockFiles() {
        try (Stream<Path> s = Files.list(InstallationLocks.DIR)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().contains(PREFIX)) Files.deleteIfExists(p);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // no agent made one
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void step(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }

    /** Our objects still present: namespaces, pins, cgroup, sockets, runtime files, wireguard-go processes. */
    List<String> leftovers() {
        List<String> left = new ArrayList<>();
        for (String ns : Netns.list()) if (LAB.owns(ns)) left.add("netns " + ns);
        for (String link : Links.names(Netns.root())) if (LAB.owns(link)) left.add("link " + link);
        if (Files.exists(pins)) left.add("pins " + pins);
        if (Files.exists(cgroup)) left.add("cgroup " + cgroup);
        for (Path dir : List.of(UAPI_SOCKETS, WG_RUNTIME)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> LAB.owns(p.getFileName().toString())).forEach(p -> left.add("file " + p));
            } catch (IOException e) {
                // no such directory: nothing of ours in it
            }
        }
        for (char n : new char[] {'a', 'b'}) wireguardGo(n).forEach(pid -> left.add("wireguard-go " + pid));
        return left;
    }

    /** Objects of earlier runs whose JVM is gone (their pid is in the name), and this JVM's own earlier ones. */
    static void sweepStale() {
        Predicate<String> doomed = LAB.staleRuns().or(LAB::owns);
        StaleSweep sweep = StaleSweep.matching(doomed);
        sweep.namespaces();
        sweep.rootLinks();
        sweep.files(UAPI_SOCKETS);
        sweep.files(WG_RUNTIME);
        for (Path root : List.of(BPFFS, CGROUP2)) {
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.toList()) {
                    if (!doomed.test(p.getFileName().toString())) continue;
                    if (root.equals(BPFFS)) NodeLeftovers.removeTree(p);
                    else Cgroups.removeTree(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sweep " + root, e);
            }
        }
    }
}
