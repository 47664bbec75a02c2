package io.nodemesh.examples.lab;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Workload;
import io.nodemesh.config.MeshStateFiles;
import io.nodemesh.examples.demo.DemoStates;
import io.nodemesh.netlab.Cgroups;
import io.nodemesh.netlab.LabPrefix;
import io.nodemesh.netlab.Netns;
import io.nodemesh.wireguard.PrivateKeyFile;
import io.nodemesh.wireguard.WireguardDataplane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A real mesh on this machine: the demo's cluster as network namespaces (an underlay, one per node, one per pod), one
 * cgroup per node (the eBPF root) with a threaded cgroup per pod below it, one agent process per node with {@code
 * --backend ebpf,envoy,wireguard} and strict WireGuard, one pod JVM per node serving every pod of it, and one Envoy
 * per node when a binary is on PATH. {@link #close()} removes all of it, and so does a shutdown hook (Ctrl-C), and
 * the next lab's start sweeps what a killed one left.
 */
public final class Lab implements AutoCloseable {
    private final LabPrefix prefix;
    private final Path dir;
    private final List<LabNode> nodes = new ArrayList<>();
    private final Map<String, LabPod> pods = new LinkedHashMap<>();
    private final List<Netns> namespaces = new CopyOnWriteArrayList<>();
    private final Map<String, PodHostProcess> podHosts = new LinkedHashMap<>();
    private final Map<String, AgentNode> agents = new LinkedHashMap<>();
    private final List<EnvoyNode> envoys = new ArrayList<>();
    private final Thread hook;
    private final Optional<Path> envoy = EnvoyNode.binary();
    private MeshState state;
    private Duration setup = Duration.ZERO;
    private List<String> swept = List.of();
    private boolean closed;

    private Lab(LabPrefix prefix, Path dir) {
        this.prefix = prefix;
        this.dir = dir;
        this.hook = Thread.ofPlatform().unstarted(this::close);
    }

    /** Sweeps stale labs, builds this one and returns it serving; on failure removes what it made and rethrows. */
    public static Lab start(LabSpec spec, Consumer<String> progress) throws IOException, InterruptedException {
        long started = System.nanoTime();
        LabPrefix prefix = LabPrefix.forThisProcess(spec.stem());
        List<String> swept = LabLeftovers.sweepStale(prefix);
        Lab lab = new Lab(prefix, Files.createTempDirectory(prefix.value() + "-"));
        lab.swept = swept;
        Runtime.getRuntime().addShutdownHook(lab.hook);
        try {
            lab.build(DemoStates.build(spec.shape(), spec.seed()), progress);
            lab.setup = Duration.ofNanos(System.nanoTime() - started);
            return lab;
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void build(MeshState demo, Consumer<String> progress) throws IOException, InterruptedException {
        Map<String, Integer> podsOnNode = new LinkedHashMap<>();
        for (Node n : demo.nodes()) {
            int i = nodes.size();
            String cidr = n.podCidrs().getFirst();
            String base = cidr.substring(0, cidr.lastIndexOf('.', cidr.indexOf('/')));
            nodes.add(new LabNode(
                    i,
                    n.name(),
                    prefix.name("n" + (i + 1)),
                    n.addresses().getFirst(),
                    cidr,
                    base + ".1",
                    LabLeftovers.CGROUP2.resolve(prefix.name("n" + (i + 1))),
                    LabLeftovers.BPFFS.resolve(prefix.name("n" + (i + 1))),
                    prefix.name("w" + (i + 1)),
                    dir.resolve(n.name() + ".key")));
        }
        for (Workload w : demo.workloads()) {
            LabNode node = node(w.node());
            int k = podsOnNode.merge(node.name(), 1, Integer::sum);
            pods.put(
                    w.key(),
                    new LabPod(
                            w.key(),
                            w.name(),
                            node,
                            w.ips().getFirst(),
                            prefix.name("p" + pods.size()),
                            "v" + k,
                            node.cgroup().resolve(w.name())));
        }
        progress.accept("network: " + (1 + nodes.size() + pods.size()) + " namespaces");
        LabNetwork.build(prefix.name("u"), nodes, List.copyOf(pods.values()), namespaces::add);
        cgroups();
        Map<LabNode, Netns> floors = new LinkedHashMap<>();
        for (LabNode n : nodes) floors.put(n, LabFloor.create(prefix.name("f" + (n.index() + 1)), namespaces::add));
        Map<String, String> keys = new LinkedHashMap<>();
        for (LabNode n : nodes)
            keys.put(
                    n.name(),
                    PrivateKeyFile.loadOrCreate(n.keyFile()).publicKey().base64());
        state = LabState.of(demo, keys, pods);
        MeshStateFiles.write(state, stateFile());

        progress.accept("pods: " + pods.size() + " on " + nodes.size() + " node(s)");
        for (LabNode n : nodes) {
            podHosts.put(n.name(), PodHostProcess.start(n.name(), n.netnsPath(), n.cgroup(), log(n.name() + "-pods")));
        }
        for (LabPod p : pods.values()) {
            podHosts.get(p.node().name()).sendOk(30, "pod", p.name(), p.netns(), p.cgroup(), p.ip());
        }
        for (LabNode n : nodes) podHosts.get(n.name()).sendOk(30, "host", n.netns());
        floors.forEach((n, ns) -> LabFloor.start(podHosts.get(n.name()), n, ns));

        progress.accept("agents: " + nodes.size() + " × --backend ebpf,envoy,wireguard (strict)");
        Path outside = Cgroups.current(LabLeftovers.CGROUP2);
        long t0 = System.nanoTime();
        for (LabNode n : nodes)
            agents.put(n.name(), AgentNode.start(n, stateFile(), outside, log(n.name() + "-agent")));
        for (AgentNode a : agents.values()) a.awaitReady(t0);
        if (envoy.isPresent()) {
            progress.accept("envoy: one per node from nodemesh bootstrap");
            for (LabNode n : nodes) envoys.add(EnvoyNode.start(envoy.get(), n, dir));
        }
    }

    /** Node cgroups (the eBPF roots) and, below each, a threaded cgroup per pod, one for the node proxy and the floor. */
    private void cgroups() throws IOException {
        for (LabNode n : nodes) {
            Files.createDirectories(n.cgroup());
            threaded(n.cgroup().resolve(EnvoyNode.CGROUP));
            threaded(LabFloor.cgroup(n));
        }
        for (LabPod p : pods.values()) threaded(p.cgroup());
    }

    private static void threaded(Path cgroup) throws IOException {
        Files.createDirectories(cgroup);
        Files.writeString(cgroup.resolve("cgroup.type"), "threaded");
    }

    private Path log(String name) {
        return dir.resolve(name + ".log");
    }

    public LabPrefix prefix() {
        return prefix;
    }

    /** The state the agents serve now. */
    public MeshState state() {
        return state;
    }

    Path stateFile() {
        return dir.resolve("mesh.yaml");
    }

    /** From the start of {@link #start} to every agent ready and every pod serving. */
    public Duration setupTime() {
        return setup;
    }

    /** What the sweep at start removed of earlier, dead labs. */
    public List<String> swept() {
        return swept;
    }

    /** The {@code envoy} binary that runs the node proxies, or empty: then L7 services are not run. */
    public Optional<Path> envoy() {
        return envoy;
    }

    List<LabNode> nodes() {
        return List.copyOf(nodes);
    }

    LabNode node(String name) {
        return nodes.stream()
                .filter(n -> n.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + name + " in the lab"));
    }

    /** The pod of workload {@code key}. */
    LabPod pod(String key) {
        LabPod p = pods.get(key);
        if (p == null) throw new IllegalArgumentException("no pod " + key + " in the lab");
        return p;
    }

    List<LabPod> pods() {
        return List.copyOf(pods.values());
    }

    PodHostProcess podHost(String node) {
        return podHosts.get(node);
    }

    AgentNode agent(String node) {
        return agents.get(node);
    }

    /**
     * Saves {@code next} as the state file (written aside, then renamed over it, so no agent reads half a file) and
     * waits until every agent has applied it.
     */
    void apply(MeshState next) throws IOException, InterruptedException {
        Map<String, Long> before = new LinkedHashMap<>();
        for (var a : agents.entrySet())
            before.put(a.getKey(), a.getValue().generation().orElse(-1));
        Path tmp = dir.resolve("mesh.yaml.tmp");
        MeshStateFiles.write(next, tmp);
        Files.move(tmp, stateFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (var a : agents.entrySet()) a.getValue().awaitGenerationAfter(before.get(a.getKey()));
        state = next;
    }

    /** The file the lab keeps {@code name}'s log in (agents: {@code node-1-agent}). */
    Path logFile(String name) {
        return log(name);
    }

    /** Removes everything; each step runs even if an earlier one failed, and the first failure is rethrown. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        podHosts.values().forEach(p -> step(failures, p::close));
        envoys.forEach(e -> step(failures, e::close));
        agents.values().forEach(a -> step(failures, a::close));
        for (LabNode n : nodes) step(failures, () -> WireguardDataplane.uninstall(wireguardOptions(n)));
        for (Netns ns : namespaces.reversed()) step(failures, ns::close);
        step(failures, () -> LabLeftovers.remove(prefix::owns));
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: this is the hook
        }
        if (!failures.isEmpty()) throw failures.getFirst();
    }

    /** Enough for the WireGuard uninstaller to find a node's device, should its agent have died without cleaning up. */
    private static DataplaneOptions wireguardOptions(LabNode n) {
        return DataplaneOptions.forNode(n.name())
                .with("wireguard.netns", n.netns())
                .with("wireguard.interface", n.wgInterface())
                .with("wireguard.keyFile", n.keyFile().toString());
    }

    private static void step(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        } catch (Error e) {
            failures.add(new IllegalStateException(e));
        }
    }
}
