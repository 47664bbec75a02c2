package io.nodemesh.ebpf.testing;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Workload;
import io.nodemesh.contract.Client;
import io.nodemesh.contract.ConnectOutcome;
import io.nodemesh.contract.ContractHarness;
import io.nodemesh.contract.WorkloadSpec;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.support.RootSupport;
import io.nodemesh.ebpf.support.TestCgroup;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The contract harness of the eBPF backend: one node that is this machine. Workloads are {@link Pod}s on a
 * {@link PodNetwork} with real servers; clients are real sockets made inside the pods' namespaces (or on the host).
 * <p>
 * So that the test touches nothing else on the machine, the dataplane attaches at a test cgroup
 * ({@code /sys/fs/cgroup/unified/nme<pid>/harness<n>}) and pins under {@code /sys/fs/bpf/nme<pid>/harness<n>}, and this
 * JVM moves into that cgroup while the harness is open: its sockets — every pod's servers and clients are threads
 * of this JVM — are then the ones the programs see. Pods' own cgroups (for processes started in them) are
 * {@code pods/<pod>} below the attach cgroup, which is how {@link Placement#cgroup()} names them.
 * Closing uninstalls the dataplane (no pin or attachment stays), removes the pods and the cgroups, and moves the
 * JVM back.
 */
public final class EbpfContractHarness implements ContractHarness {
    public static final String NODE = "node-1";
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final TestCgroup cgroup;
    private final Path pinRoot;
    private final PodNetwork network;
    private final MeshDataplane dataplane;
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();

    private EbpfContractHarness(TestCgroup cgroup, Path pinRoot, PodNetwork network, MeshDataplane dataplane) {
        this.cgroup = cgroup;
        this.pinRoot = pinRoot;
        this.network = network;
        this.dataplane = dataplane;
    }

    /** A harness over {@link EbpfDataplane}. Call {@code RootSupport.requireBpf()} (or the Privileges gates) first. */
    public static EbpfContractHarness start() {
        return start(EbpfDataplane::open);
    }

    /**
     * A harness over whatever {@code open} makes from the options it is given ({@code ebpf.cgroupRoot},
     * {@code ebpf.pinRoot} and the node name set for this harness).
     */
    public static EbpfContractHarness start(Function<DataplaneOptions, MeshDataplane> open) {
        String name = "harness" + COUNT.incrementAndGet();
        TestCgroup cgroup = TestCgroup.create(name);
        Path pinRoot = RootSupport.BPFFS.resolve(RootSupport.PREFIX).resolve(name);
        PodNetwork network = null;
        MeshDataplane dataplane = null;
        try {
            network = PodNetwork.create(cgroup.path().resolve("pods"));
            cgroup.enter();
            dataplane = open.apply(new DataplaneOptions(
                    NODE,
                    Map.of(
                            "ebpf.cgroupRoot", cgroup.path().toString(),
                            "ebpf.pinRoot", pinRoot.toString())));
            return new EbpfContractHarness(cgroup, pinRoot, network, dataplane);
        } catch (RuntimeException | Error e) {
            if (dataplane != null) closeDataplane(dataplane);
            if (network != null) network.close();
            cgroup.close();
            RootSupport.removeTree(pinRoot);
            throw e;
        }
    }

    @Override
    public MeshDataplane dataplane() {
        return dataplane;
    }

    public PodNetwork network() {
        return network;
    }

    /** The cgroup the dataplane is attached at. */
    public Path cgroupRoot() {
        return cgroup.path();
    }

    @Override
    public List<Node> nodes() {
        return List.of(new Node(NODE, List.of(network.gatewayIpv4()), List.of(network.cidrV4(), network.cidrV6()), ""));
    }

    @Override
    public Workload startWorkload(WorkloadSpec spec) {
        if (!spec.node().equals(NODE))
            throw new IllegalArgumentException("this harness has one node, " + NODE + ", not " + spec.node());
        String podName = podName(spec);
        Pod pod = network.addPodWithCgroup(podName);
        pods.put(spec.key(), pod);
        for (int port : spec.ports()) pod.serve(port, spec.key());
        String cgroupPath = cgroup.path().relativize(pod.cgroup().orElseThrow()).toString();
        return new Workload(
                spec.namespace(),
                spec.name(),
                NODE,
                List.of(pod.ipv4(), pod.ipv6()),
                spec.identity(),
                spec.labels(),
                new Placement(pod.netnsPath().toString(), cgroupPath));
    }

    /** The pod behind a workload this harness started. */
    public Pod pod(String workloadKey) {
        Pod pod = pods.get(workloadKey);
        if (pod == null)
            throw new IllegalArgumentException("no workload " + workloadKey + " was started by this harness");
        return pod;
    }

    @Override
    public Client clientIn(Workload workload) {
        return new Client(NODE, workload.key(), pod(workload.key()).ipv4());
    }

    @Override
    public Client hostClient(String node) {
        return new Client(node, "", network.gatewayIpv4());
    }

    @Override
    public ConnectOutcome connect(Client client, String ip, int port) {
        if (client.isHostProcess()) return Clients.tcp(ip, port);
        return pod(client.workload()).connect(ip, port);
    }

    @Override
    public ConnectOutcome exchangeUdp(Client client, String ip, int port) {
        if (client.isHostProcess()) return Clients.udp(ip, port);
        return pod(client.workload()).sendUdp(ip, port);
    }

    @Override
    public void close() {
        try {
            closeDataplane(dataplane);
        } finally {
            try {
                network.close();
            } finally {
                cgroup.close();
                RootSupport.removeTree(pinRoot);
            }
        }
    }

    private static void closeDataplane(MeshDataplane dp) {
        if (dp instanceof EbpfDataplane ebpf) ebpf.uninstall();
        else dp.close();
    }

    /** {@code namespace-name} as a pod name (a short DNS label), unique per workload key. */
    private String podName(WorkloadSpec spec) {
        String base = (spec.namespace() + "-" + spec.name()).toLowerCase().replaceAll("[^a-z0-9-]", "-");
        if (base.length() > 24) base = base.substring(0, 24);
        base = base.replaceAll("^-+", "w");
        String candidate = base;
        int n = 2;
        while (true) {
            String c = candidate;
            if (network.pods().stream().noneMatch(p -> p.name().equals(c))) return c;
            candidate = base + "-" + n++;
        }
    }
}
