package io.nodemesh.examples.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.nodemesh.api.DataplaneException;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.Flows;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.kubernetes.FeedOptions;
import io.nodemesh.kubernetes.KubernetesFeed;
import io.nodemesh.kubernetes.agent.AgentMetrics;
import io.nodemesh.kubernetes.agent.AgentServer;
import io.nodemesh.kubernetes.agent.ReadinessCheck;

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
 * prints flows as they happen, and serves /healthz, /readyz, /metrics and /flows. On Ctrl-C it leaves the dataplane
 * serving what it programmed (pinned eBPF keeps working without the agent) unless {@code --uninstall} is given.
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run a node agent: program a dataplane from a state file or the Kubernetes API server.")
public final class AgentCommand implements Callable<Integer> {
    enum SourceKind { file, kubernetes }

    @Option(names = "--source", description = "Where the mesh comes from: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).", defaultValue = "file")
    SourceKind source;

    @Option(names = "--backend", description = "Dataplane backend(s), comma-separated to compose, e.g. ebpf,wireguard (default: ${DEFAULT-VALUE}).",
            defaultValue = "sim", split = ",")
    List<String> backends;

    @Option(names = "--state", description = "The cluster-wide state file (YAML or JSON), for --source file.")
    Path stateFile;

    @Option(names = "--node", description = "This node's name (default: $NODE_NAME, else the host name).")
    String node;

    @Option(names = "--listen", description = "Address for /healthz, /readyz, /metrics and /flows (default: ${DEFAULT-VALUE}; port 0 = any free).",
            defaultValue = "127.0.0.1:9464")
    String listen;

    @Option(names = "--wireguard-public-key-file", description = "Publish this node's WireGuard public key (base64, from this file) on its Node.")
    Path wireguardKeyFile;

    @Option(names = "--quiet-flows", description = "Do not print flow events.")
    boolean quietFlows;

    @Option(names = "--uninstall", description = "On exit, remove what this agent programmed instead of leaving it serving.")
    boolean uninstall;

    @Option(names = "--property", description = "Backend setting key=value (e.g. ebpf.cgroupRoot=/sys/fs/cgroup/unified).")
    Map<String, String> properties = new java.util.LinkedHashMap<>();

    /** Lets tests (and embedders) stop the agent without a signal. */
    private final CountDownLatch stop = new CountDownLatch(1);
    /** Counted down when the agent has cleaned up, so a Ctrl-C waits for it before the JVM halts. */
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile AgentServer server;

    /** Where the agent reports; tests read it. */
    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        String nodeName = node != null ? node : System.getenv().getOrDefault("NODE_NAME", InetAddress.getLocalHost().getHostName());
        if (source == SourceKind.file && stateFile == null) {
            err.println("--source file needs --state FILE (the cluster-wide state file)");
            return 2;
        }
        if (source == SourceKind.file && !Files.isReadable(stateFile)) {
            err.println("cannot read the state file " + stateFile.toAbsolutePath());
            return 2;
        }
        InetSocketAddress address;
        try {
            address = parseListen(listen);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        DataplaneOptions options = new DataplaneOptions(nodeName, properties);
        MeshDataplane dataplane;
        try {
            dataplane = Dataplanes.compose(backends, options);
        } catch (DataplaneException e) {
            err.println("cannot open the dataplane: " + e.getMessage());
            return 1;
        }
        List<AutoCloseable> resources = new ArrayList<>();
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
                StateFileAgent agent = new StateFileAgent(stateFile, dataplane, out, metrics);
                resources.add(agent);
                agent.start();
                readiness = agent::problems;
            } else {
                // In-cluster config or KUBECONFIG. The informers retry with their own backoff, so the client's per-request
                // retries are cut short: an unreachable API server shows on /readyz at once, not after a minute.
                Config config = new ConfigBuilder(Config.autoConfigure(null)).withRequestRetryBackoffLimit(1).build();
                KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
                resources.add(client);
                FeedOptions feedOptions = FeedOptions.forNode(nodeName);
                if (wireguardKeyFile != null) feedOptions = feedOptions.withWireguardPublicKey(Files.readString(wireguardKeyFile).strip());
                KubernetesFeed feed = KubernetesFeed.start(client, dataplane, feedOptions);
                feed.addListener(metrics);
                resources.addFirst(feed);
                readiness = () -> feed.health().problems();
                out.println("following the API server at " + client.getMasterUrl() + " as node " + nodeName);
            }
            server = AgentServer.start(address, readiness, metrics, dataplane.flows());
            resources.addFirst(server);
            out.println("nodemesh agent on node " + nodeName + " (" + dataplane.name() + "): http://"
                    + address.getHostString() + ":" + server.port() + "/readyz, /metrics, /flows; Ctrl-C to stop");
            Runtime.getRuntime().addShutdownHook(hook);
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
            if (uninstall) {
                try {
                    dataplane.apply(MeshState.EMPTY);
                    out.println("uninstalled: the dataplane is empty");
                } catch (RuntimeException e) {
                    err.println("uninstall failed: " + e.getMessage());
                }
            } else {
                out.println("stopped; the dataplane keeps serving what was programmed (use --uninstall to remove it)");
            }
            dataplane.close();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is what got us here
            }
        }
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
        int colon = listen.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("--listen wants HOST:PORT, such as 127.0.0.1:9464, not '" + listen + "'");
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        try {
            int port = Integer.parseInt(listen.substring(colon + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen: '" + listen.substring(colon + 1) + "' is not a port (0..65535)");
        }
    }
}
