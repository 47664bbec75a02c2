package io.nodemesh.agent;

import io.nodemesh.agent.http.AgentMetrics;
import io.nodemesh.agent.http.AgentServer;
import io.nodemesh.agent.http.ReadinessCheck;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Flows;
import io.nodemesh.api.MeshDataplane;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nodemesh agent}: a node agent, as a person would run one on a Linux node. It programs a dataplane from the
 * cluster-wide state file ({@code --source file}) or from the Kubernetes API server ({@code --source kubernetes}),
 * prints flows as they happen, and serves /healthz, /readyz, /metrics and /flows. {@code --backend ebpf,envoy,wireguard}
 * composes a node's backends, configured consistently from one set of flags ({@link NodeDataplaneSettings}). On Ctrl-C
 * it leaves the eBPF programs (pinned) and wireguard-go (in a session of its own) serving what they were given, for the
 * next agent to adopt, unless {@code --uninstall} is given.
 */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        description = "Run a node agent: program a dataplane from a state file or the Kubernetes API server.")
public final class AgentCommand implements Callable<Integer> {
    enum SourceKind {
        file,
        kubernetes
    }

    @Option(
            names = "--source",
            description = "Where the mesh comes from: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "file")
    SourceKind source;

    @Option(
            names = "--backend",
            description =
                    "Dataplane backend(s), comma-separated to compose: sim, or any of ebpf,envoy,wireguard (default: ${DEFAULT-VALUE}).",
            defaultValue = "sim",
            split = ",")
    List<String> backends;

    @Option(names = "--state", description = "The cluster-wide state file (YAML or JSON), for --source file.")
    Path stateFile;

    @Option(
            names = "--state-cache",
            description =
                    "Keep the parse of a valid YAML state file here (a directory, e.g. /run/nodemesh/agent/state), so that a restart over the same bytes reads it back instead of parsing the YAML again.")
    Path stateCache;

    @Option(names = "--node", description = "This node's name (default: $NODE_NAME, else the host name).")
    String node;

    @Option(
            names = "--listen",
            description =
                    "Address for /healthz, /readyz, /metrics and /flows (default: ${DEFAULT-VALUE}; port 0 = any free).",
            defaultValue = "127.0.0.1:9464")
    String listen;

    @Option(
            names = "--metrics-listen",
            description =
                    "Also serve /healthz, /readyz and /metrics (nothing else) here, e.g. 0.0.0.0:9465 for Prometheus and kubelet probes; /status and /flows stay on --listen.")
    String metricsListen;

    @Option(
            names = "--wireguard-public-key-file",
            description =
                    "Publish this node's WireGuard public key (base64, from this file) on its Node (default with the wireguard backend: its own key).")
    Path wireguardKeyFile;

    @Option(names = "--quiet-flows", description = "Do not print flow events.")
    boolean quietFlows;

    @Option(
            names = "--proxy-address",
            description =
                    "The node proxy's address that eBPF steers L7 services to (ebpf.proxyAddress): an address of this node the pods route to.")
    String proxyAddress;

    @Option(
            names = "--proxy-port",
            description =
                    "The node proxy's outbound listener port: both ebpf.proxyPort and envoy.outboundPort (default with envoy: 15001).")
    Integer proxyPort;

    @Option(
            names = "--proxy-cgroup",
            description =
                    "The node proxy's cgroup-v2 directory (ebpf.proxyCgroup): its own connections are not steered back into it.")
    String proxyCgroup;

    @Option(
            names = "--pin-path",
            description = "bpffs directory for the eBPF pins (ebpf.pinRoot, default /sys/fs/bpf/nodemesh).")
    String pinPath;

    @Option(
            names = "--cgroup-root",
            description =
                    "cgroup-v2 directory the eBPF programs attach at (ebpf.cgroupRoot, default: the cgroup2 mount).")
    String cgroupRoot;

    @Option(
            names = "--wireguard-interface",
            description = "WireGuard interface name (wireguard.interface, default nm-wg0).")
    String wireguardInterface;

    @Option(
            names = "--wireguard-port",
            description = "This node's WireGuard UDP port (wireguard.listenPort, default 51820).")
    Integer wireguardPort;

    @Option(
            names = "--wireguard-key-file",
            description = "This node's WireGuard private key file, created if missing (wireguard.keyFile).")
    String wireguardPrivateKeyFile;

    @Option(
            names = "--ca-dir",
            description =
                    "The mesh CA directory Envoy loads its root from (envoy.caDir; see nodemesh ca), the same on every node.")
    String caDir;

    @Option(
            names = {"--option", "--property"},
            description =
                    "Any backend setting key=value (e.g. ebpf.redirect=false, envoy.xdsPort=18000); must agree with the flags above.")
    Map<String, String> properties = new java.util.LinkedHashMap<>();

    @Option(
            names = "--status-lease",
            description =
                    "For --source kubernetes: the Lease [namespace/]name that elects the one agent writing "
                            + "nodemesh resources' status (default nodemesh-status-writer in the agent's namespace); 'none' = every agent writes.")
    String statusLease;

    @Option(
            names = "--exit-when-ready",
            description =
                    "Stop as on Ctrl-C (leaving the dataplane serving) as soon as the agent is ready: a training run for the JVM's AOT cache (java -XX:AOTCacheOutput=FILE ...), which is written when the JVM exits normally.")
    boolean exitWhenReady;

    @Option(
            names = "--uninstall",
            description =
                    "On exit, detach the eBPF programs and remove their pins, and give every other backend the empty state, "
                            + "instead of leaving the eBPF dataplane serving.")
    boolean uninstall;

    /** Lets tests (and embedders) stop the agent without a signal. */
    private final CountDownLatch stop = new CountDownLatch(1);
    /** Counted down when the agent has cleaned up, so a Ctrl-C waits for it before the JVM halts. */
    private final CountDownLatch finished = new CountDownLatch(1);

    private volatile AgentServer server;

    /** Shows {@code nodemesh uninstall} that this agent manages the node's installations. */
    private InstallationLocks locks;

    /** Where the agent reports; tests read it. */
    PrintStream out = System.out;

    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        String nodeName = node != null
                ? node
                : System.getenv()
                        .getOrDefault("NODE_NAME", InetAddress.getLocalHost().getHostName());
        if (source == SourceKind.file && stateFile == null) {
            err.println("--source file needs --state FILE (the cluster-wide state file)");
            return 2;
        }
        if (source == SourceKind.file && !Files.isReadable(stateFile)) {
            err.println("cannot read the state file " + stateFile.toAbsolutePath());
            return 2;
        }
        if (source == SourceKind.kubernetes) {
            java.util.Optional<String> missing = KubernetesSource.missing();
            if (missing.isPresent()) {
                err.println(missing.get());
                return 2;
            }
        }
        InetSocketAddress address;
        InetSocketAddress metricsAddress;
        try {
            address = parseListen(listen);
            metricsAddress = metricsListen == null ? null : parseListen("--metrics-listen", metricsListen);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        // Parsing a large file takes as long as opening the backends: do both at once.
        StateFileRead early = source == SourceKind.file ? StateFileRead.start(stateFile, snapshots()) : null;
        NodeDataplane nodeDataplane;
        switch (dataplaneSettings(nodeName)) {
            case NodeDataplaneSettings.Assembly.Refused(List<String> problems) -> {
                err.println("the dataplane options do not fit together:");
                problems.forEach(p -> err.println("  " + p));
                return 2;
            }
            case NodeDataplaneSettings.Assembly.Ready(
                    List<String> names,
                    DataplaneOptions options,
                    List<String> notes) -> {
                notes.forEach(n -> out.println("note: " + n));
                // Held until the agent stops, so nodemesh uninstall sees it (the kernel releases them if it dies).
                locks = InstallationLocks.share(InstallationLocks.files(names, options));
                switch (NodeDataplane.open(names, options)) {
                    case NodeDataplane.Opening.Failed(int code, List<String> reasons) -> {
                        locks.close();
                        err.println("cannot open the dataplane " + String.join(",", names) + ":");
                        reasons.forEach(r -> err.println("  " + r));
                        return code;
                    }
                    case NodeDataplane.Opening.Opened(NodeDataplane opened) -> nodeDataplane = opened;
                }
            }
        }
        MeshDataplane dataplane = io.nodemesh.agent.health.HealthCheckedDataplane.wrap(nodeDataplane.dataplane());
        List<AutoCloseable> resources = new ArrayList<>(List.of(dataplane)); // closing it stops the health checks
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            stop.countDown();
            try {
                finished.await(15, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (AgentMetrics metrics = new AgentMetrics(dataplane)) {
            if (!quietFlows) {
                Flows.Subscription flows = dataplane.flows().subscribe(new FlowPrinter(out));
                resources.add(flows::close);
            }
            ReadinessCheck readiness;
            if (source == SourceKind.file) {
                StateFileAgent agent = new StateFileAgent(stateFile, snapshots(), dataplane, out, metrics);
                resources.add(agent);
                agent.start(early);
                readiness = agent::problems;
            } else {
                // The node publishes its key so peers can reach it: from the file given, else the wireguard backend's.
                java.util.Optional<String> publicKey = wireguardKeyFile != null
                        ? java.util.Optional.of(
                                Files.readString(wireguardKeyFile).strip())
                        : nodeDataplane.wireguardPublicKey();
                KubernetesSource kubernetes =
                        KubernetesSource.start(nodeName, dataplane, metrics, publicKey, statusLease);
                resources.addFirst(kubernetes);
                readiness = kubernetes.readiness();
                out.println(kubernetes.describe(nodeName));
            }
            try {
                ReadinessCheck ready = readiness;
                server = AgentServer.start(
                        address,
                        readiness,
                        metrics,
                        dataplane.flows(),
                        () -> AgentStatuses.of(nodeName, nodeDataplane, ready, metrics));
            } catch (java.net.BindException e) {
                err.println(address.getHostString() + ":" + address.getPort()
                        + " is in use (another agent?); pass --listen HOST:PORT, port 0 for any free one");
                return 1;
            }
            resources.addFirst(server);
            if (metricsAddress != null) {
                AgentServer metricsServer;
                try {
                    metricsServer = AgentServer.startPublic(metricsAddress, readiness, metrics);
                    resources.addFirst(metricsServer);
                } catch (java.net.BindException e) {
                    err.println(metricsAddress.getHostString() + ":" + metricsAddress.getPort()
                            + " is in use; pass another --metrics-listen HOST:PORT");
                    return 1;
                }
                out.println("metrics and probes also on http://" + metricsAddress.getHostString() + ":"
                        + metricsServer.port() + "/metrics, /healthz, /readyz");
            }
            out.println("capabilities: " + nodeDataplane.assignment());
            out.println("nodemesh agent on node " + nodeName + " (" + dataplane.name() + "): http://"
                    + address.getHostString() + ":" + server.port() + "/readyz, /metrics, /flows; Ctrl-C to stop");
            Runtime.getRuntime().addShutdownHook(hook);
            if (exitWhenReady) stopWhenReady(readiness);
            stop.await();
            return 0;
        } finally {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    err.println("while stopping: " + e.getMessage());
                }
            }
            nodeDataplane.stop(uninstall).forEach(out::println);
            out.println(uninstall ? "stopped and uninstalled" : "stopped");
            locks.close();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is what got us here
            }
        }
    }

    private java.util.Optional<io.nodemesh.config.StateSnapshots> snapshots() {
        return java.util.Optional.ofNullable(stateCache).map(io.nodemesh.config.StateSnapshots::in);
    }

    /** The backends' settings this command line makes, or why they do not fit together. */
    NodeDataplaneSettings.Assembly dataplaneSettings(String nodeName) {
        NodeFlags flags = new NodeFlags(
                proxyAddress,
                proxyPort,
                proxyCgroup,
                pinPath,
                cgroupRoot,
                wireguardInterface,
                wireguardPort,
                wireguardPrivateKeyFile,
                caDir);
        return NodeDataplaneSettings.assemble(backends, nodeName, flags, properties);
    }

    /** The training run's end: the state applied, the agent stops normally, so the JVM writes its AOT cache. */
    private void stopWhenReady(ReadinessCheck readiness) {
        Thread.ofVirtual().name("nodemesh-exit-when-ready").start(() -> {
            try {
                while (!readiness.problems().isEmpty()) Thread.sleep(20);
                out.println("ready: stopping (--exit-when-ready)");
                stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Stops a running agent as Ctrl-C would. */
    public void stop() {
        stop.countDown();
    }

    /** The port the agent serves on, once it runs (0 before). */
    public int port() {
        AgentServer s = server;
        return s == null ? 0 : s.port();
    }

    static InetSocketAddress parseListen(String listen) {
        return parseListen("--listen", listen);
    }

    static InetSocketAddress parseListen(String flag, String listen) {
        int colon = listen.lastIndexOf(':');
        if (colon < 0)
            throw new IllegalArgumentException(flag + " wants HOST:PORT, such as 127.0.0.1:9464, not '" + listen + "'");
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        try {
            int port = Integer.parseInt(listen.substring(colon + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    flag + ": '" + listen.substring(colon + 1) + "' is not a port (0..65535)");
        }
    }
}
