package io.nodemesh.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.agent.NodeLeftovers;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.HealthCheckSchedule;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.TcpHealthCheck;
import io.nodemesh.api.state.Workload;
import io.nodemesh.contract.Privileges;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.netlab.Addresses;
import io.nodemesh.netlab.Bridge;
import io.nodemesh.netlab.Cgroups;
import io.nodemesh.netlab.LabPrefix;
import io.nodemesh.netlab.Links;
import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.Routes;
import io.nodemesh.netlab.StaleSweep;
import io.nodemesh.netlab.VethPair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's ejection on the real kernel: three backend pods (network namespaces on a bridge {@code nmh<pid>br} of
 * this machine) behind a VIP served by the eBPF backend at a cgroup of its own, which this JVM joins so its connects
 * are translated. A client connects to the VIP in a loop; backend b2's process dies (its listening socket closes, so
 * the kernel refuses new connections to it). Once the health checker has ejected it, no new connection fails; when it
 * comes back it is restored and served again. Prints the time from death to the ejection and the connections that
 * failed in that window (figures, not assertions).
 */
class HealthEjectionRootTest {
    private static final LabPrefix LAB = LabPrefix.forThisProcess("nmh");
    private static final String PREFIX = LAB.value();
    private static final Path BPFFS = Path.of("/sys/fs/bpf");
    private static final Path CGROUP2 = Path.of("/sys/fs/cgroup/unified");
    private static final String VIP = "10.96.213.10";
    private static final int DNS_PORT = 53, DNS_TARGET = 5353;
    private static final List<String> PODS = List.of("b1", "b2", "b3");
    private static final HealthCheckSchedule SCHEDULE =
            new HealthCheckSchedule(Duration.ofMillis(100), Duration.ofMillis(50), 2, 3);

    private final List<Netns> namespaces = new ArrayList<>();
    private final List<ServerSocket> servers = new ArrayList<>(List.of());
    private final List<DatagramSocket> udpServers = new ArrayList<>();
    private final List<String> reports = new CopyOnWriteArrayList<>();
    private String subnet;
    private Path pins;
    private Path stateDir; // the eBPF backend's applied-state record, kept out of /run/nodemesh
    private Path cgroup;
    private Path originalCgroup;
    private Cgroups.Joined joined;
    private boolean bridgeMade;
    private MeshDataplane ebpf;
    private HealthCheckedDataplane dp;

    @BeforeEach
    void requirements() throws IOException {
        Privileges.requireRoot();
        Privileges.require(Files.isDirectory(CGROUP2), "cgroup v2 not mounted at " + CGROUP2);
        Availability available = Dataplanes.available().get("ebpf");
        Privileges.require(
                available != null && available.isAvailable(), "the ebpf backend is unavailable: " + available);
        sweepStale();
        subnet = freeSubnet();
        pins = BPFFS.resolve(PREFIX);
        stateDir = Files.createTempDirectory(PREFIX + "-ebpf-state");
        cgroup = Files.createDirectories(CGROUP2.resolve(PREFIX));
        originalCgroup = Cgroups.current(CGROUP2);
    }

    @AfterEach
    void cleanUp() {
        List<String> problems = new ArrayList<>();
        attempt(problems, () -> {
            if (dp != null) dp.close();
        });
        attempt(problems, () -> {
            if (ebpf != null) {
                ebpf.apply(MeshState.EMPTY);
                ebpf.close();
            }
        });
        attempt(problems, this::leaveCgroup);
        for (ServerSocket s : servers) attempt(problems, s::close);
        for (DatagramSocket s : udpServers) attempt(problems, s::close);
        for (Netns ns : namespaces) attempt(problems, ns::delete);
        attempt(problems, () -> {
            if (bridgeMade) Links.delete(Netns.root(), bridge());
        });
        attempt(problems, () -> {
            if (pins != null) NodeLeftovers.removeTree(pins);
        });
        attempt(problems, () -> {
            if (stateDir != null) NodeLeftovers.removeTree(stateDir);
        });
        attempt(problems, () -> {
            if (cgroup != null) Files.deleteIfExists(cgroup);
        });
        assertThat(problems).as("clean-up problems").isEmpty();
        assertThat(Netns.list()).noneMatch(LAB::owns);
        assertThat(Links.names(Netns.root())).noneMatch(LAB::owns);
    }

    @Test
    void aBackendKilledUnderAConnectLoopFailsNoNewConnectionAfterDetectionAndComesBack() throws Exception {
        buildPods();
        ebpf = openEbpf();
        dp = new HealthCheckedDataplane(ebpf, new SocketProber(), reports::add);
        dp.apply(state());
        enterCgroup();

        ConnectLoop loop = new ConnectLoop(dp);
        Thread client = Thread.ofPlatform().name("nmh-client").start(loop);
        try {
            await("every backend served", () -> loop.servedBy().containsAll(PODS));
            assertThat(loop.failures()).as("failures before any backend died").isZero();

            long died = System.nanoTime();
            servers.get(1).close(); // b2's process dies: the kernel now refuses connections to it
            await("b2 ejected", () -> ejected(dp.effective()));
            long detected = System.nanoTime();
            int attemptsAtDetection = loop.attempts();
            await("300 connections after detection", () -> loop.attempts() >= attemptsAtDetection + 300);
            long failedAfter = loop.failedStartedAfter(detected);
            long failedInWindow = loop.failures() - failedAfter;
            long lastFailure = loop.lastFailureStart();

            System.out.printf(
                    "health ejection (TCP check every %d ms, %d failures to eject): death to ejection applied %.1f ms,"
                            + " death to the start of the last failed connect %.1f ms, %d connections failed in that"
                            + " window (%d attempts in all until then), %d failed of the %d started after%n",
                    SCHEDULE.interval().toMillis(),
                    SCHEDULE.unhealthyThreshold(),
                    (detected - died) / 1e6,
                    (lastFailure - died) / 1e6,
                    failedInWindow,
                    attemptsAtDetection,
                    failedAfter,
                    loop.attempts() - attemptsAtDetection);
            assertThat(failedAfter).as("new connections failed after detection").isZero();
            assertThat(reports).anySatisfy(r -> assertThat(r).startsWith("ejected endpoint " + podIp(1)));

            // b2 comes back: restored after two passed probes, then it gets connections again.
            servers.set(1, listen(1));
            await("b2 restored", () -> !ejected(dp.effective()));
            loop.forgetServed();
            await("b2 served again", () -> loop.servedBy().contains("b2"));
            assertThat(loop.failedStartedAfter(detected))
                    .as("failures after detection, through the restore")
                    .isZero();
        } finally {
            loop.stop();
            client.join(Duration.ofSeconds(10));
        }
    }

    /**
     * The DNS case: a connected UDP socket was translated once, at connect(), to a backend that is then ejected. Here
     * b2 stays reachable over UDP (only its health port closes), so nothing but the dataplane can stop the socket
     * from talking to it for ever. After the ejection the socket's next exchange fails at once (the kernel destroyed
     * it), a new socket reaches a healthy backend, and no new socket reaches b2.
     */
    @Test
    void aConnectedUdpSocketToAnEjectedBackendIsResetAndNewSocketsAvoidIt() throws Exception {
        buildPods();
        for (int i = 0; i < PODS.size(); i++) udpServers.add(answerUdp(i));
        ebpf = openEbpf();
        dp = new HealthCheckedDataplane(ebpf, new SocketProber(), reports::add);
        dp.apply(state());
        enterCgroup();
        assertThat(((EbpfDataplane) ebpf).udpReapStats().unavailable())
                .as("UDP reaping availability")
                .isEmpty();

        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            DatagramSocket onB2 = null;
            for (int i = 0; i < 100 && onB2 == null; i++) {
                DatagramSocket s = connectedToVip();
                sockets.add(s);
                if (exchange(s).equals("b2")) onB2 = s;
            }
            assertThat(onB2).as("a socket translated to b2 in 100 connects").isNotNull();
            long destroyedBefore = ((EbpfDataplane) ebpf).udpReapStats().destroyed();

            servers.get(1).close(); // b2 fails its health check; its UDP server keeps answering
            await("b2 ejected", () -> ejected(dp.effective()));
            DatagramSocket stale = onB2;
            int answeredAfterEjection = 0;
            IOException reset = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (reset == null && System.nanoTime() < deadline) {
                try {
                    assertThat(exchange(stale)).isEqualTo("b2");
                    answeredAfterEjection++; // the apply that ejected b2 may still be reaping
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the stale socket timed out instead of being reset", e);
                } catch (IOException e) {
                    reset = e;
                }
            }
            assertThat(reset)
                    .as("the socket connected to b2 is reset after the ejection")
                    .isNotNull();
            assertThat(((EbpfDataplane) ebpf).udpReapStats().destroyed() - destroyedBefore)
                    .as("UDP sockets the kernel destroyed")
                    .isGreaterThanOrEqualTo(1);
            java.util.Set<String> reached = new java.util.HashSet<>();
            for (int i = 0; i < 50; i++) {
                try (DatagramSocket again = connectedToVip()) {
                    reached.add(exchange(again));
                }
            }
            System.out.printf(
                    "UDP ejection: the stale socket answered %d more times, then failed with \"%s\"; 50 new sockets"
                            + " reached %s%n",
                    answeredAfterEjection, reset.getMessage(), reached);
            assertThat(reached)
                    .as("backends new sockets reached")
                    .doesNotContain("b2")
                    .isNotEmpty();
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
    }

    /**
     * Locality on the kernel: b1 runs on this node (node-a), b2 on node-b of the same zone, b3 on node-c of another
     * zone (all three are namespaces here; only the state says where they run). With {@link Locality#PREFER_NODE}
     * every connection reaches b1; when b1 dies and is ejected, the next ones reach b2 only, then b3 only when b2 dies
     * too, and b1 again once it is back. No connection started after an ejection fails.
     */
    @Test
    void aPreferNodeServiceStaysOnTheNodeAndOverflowsByZoneAsBackendsDie() throws Exception {
        buildPods();
        ebpf = openEbpf();
        dp = new HealthCheckedDataplane(ebpf, new SocketProber(), reports::add);
        dp.apply(localityState());
        enterCgroup();

        ConnectLoop loop = new ConnectLoop(dp);
        Thread client = Thread.ofPlatform().name("nmh-client").start(loop);
        try {
            await("b1 served", () -> loop.servedBy().contains("b1"));
            servedOnly(loop, "b1");

            long died = System.nanoTime();
            servers.get(0).close();
            await("b1 ejected", () -> ejected(dp.effective(), 0));
            long detected = System.nanoTime();
            servedOnly(loop, "b2");
            assertThat(loop.failedStartedAfter(detected))
                    .as("failures after b1's ejection")
                    .isZero();
            System.out.printf(
                    "locality PREFER_NODE: the node's backend died; overflow to the zone applied after %.1f ms, %d"
                            + " connections failed before it%n",
                    (detected - died) / 1e6, loop.failures());

            servers.get(1).close();
            await("b2 ejected", () -> ejected(dp.effective(), 1));
            long detected2 = System.nanoTime();
            servedOnly(loop, "b3");
            assertThat(loop.failedStartedAfter(detected2))
                    .as("failures after b2's ejection")
                    .isZero();

            servers.set(0, listen(0));
            await("b1 restored", () -> !ejected(dp.effective(), 0));
            long restored = System.nanoTime();
            servedOnly(loop, "b1");
            assertThat(loop.failedStartedAfter(restored))
                    .as("failures after b1's restore")
                    .isZero();
        } finally {
            loop.stop();
            client.join(Duration.ofSeconds(10));
        }
    }

    /** After at most 2 connections still in flight, the next 100 reach {@code pod} and no other backend. */
    private static void servedOnly(ConnectLoop loop, String pod) throws InterruptedException {
        int settled = loop.attempts() + 2;
        await("2 more connections", () -> loop.attempts() >= settled);
        loop.forgetServed();
        int from = loop.attempts();
        await("100 connections", () -> loop.attempts() >= from + 100);
        assertThat(loop.servedBy()).as("backends served").containsExactly(pod);
    }

    private MeshDataplane openEbpf() {
        return Dataplanes.open(
                "ebpf",
                DataplaneOptions.forNode("node-a")
                        .with("ebpf.pinRoot", pins.toString())
                        .with("ebpf.cgroupRoot", cgroup.toString())
                        .with("ebpf.stateDir", stateDir.toString()));
    }

    private static DatagramSocket connectedToVip() throws IOException {
        DatagramSocket s = new DatagramSocket();
        s.setSoTimeout(3000);
        s.connect(new InetSocketAddress(VIP, DNS_PORT));
        return s;
    }

    /** One question and its answer on a connected socket: the name of the backend that answered. */
    private static String exchange(DatagramSocket s) throws IOException {
        byte[] q = "q".getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(q, q.length));
        DatagramPacket reply = new DatagramPacket(new byte[64], 64);
        s.receive(reply);
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
    }

    /** Pod {@code i}'s UDP server: answers every datagram with its name. */
    private DatagramSocket answerUdp(int i) {
        DatagramSocket server =
                namespaces.get(i).call(() -> new DatagramSocket(new InetSocketAddress(podIp(i), DNS_TARGET)));
        byte[] name = PODS.get(i).getBytes(StandardCharsets.UTF_8);
        Thread.ofVirtual().name("nmh-udp-" + PODS.get(i)).start(() -> {
            DatagramPacket in = new DatagramPacket(new byte[64], 64);
            while (!server.isClosed()) {
                try {
                    server.receive(in);
                    server.send(new DatagramPacket(name, name.length, in.getSocketAddress()));
                } catch (IOException e) {
                    // closed
                }
            }
        });
        return server;
    }

    private boolean ejected(MeshState effective) {
        return ejected(effective, 1);
    }

    private boolean ejected(MeshState effective, int pod) {
        Service web = effective.index().service("shop/web").orElseThrow();
        return effective.index().endpoints(web).stream()
                .anyMatch(e -> e.ip().equals(podIp(pod)) && e.state() == EndpointState.NOT_READY);
    }

    /** Connects to the VIP one connection after another, each read to the backend's name and closed. */
    private static final class ConnectLoop implements Runnable {
        private final HealthCheckedDataplane dp;
        private final java.util.Set<String> served = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile boolean stop;
        private volatile int attempts;
        /** When each failed attempt started: what counts is whether it was translated before or after ejection. */
        private final List<Long> failedStarts = new CopyOnWriteArrayList<>();

        ConnectLoop(HealthCheckedDataplane dp) {
            this.dp = dp;
        }

        @Override
        public void run() {
            while (!stop) {
                long start = System.nanoTime();
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(VIP, 80), 1000);
                    s.setSoTimeout(1000);
                    String name = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                            .readLine();
                    if (name == null) throw new IOException("closed before the backend said its name");
                    served.add(name);
                } catch (IOException e) {
                    failedStarts.add(start);
                }
                attempts++;
            }
        }

        java.util.Set<String> servedBy() {
            return served;
        }

        void forgetServed() {
            served.clear();
        }

        int attempts() {
            return attempts;
        }

        int failures() {
            return failedStarts.size();
        }

        /** Failed attempts that started after {@code nanos}. */
        long failedStartedAfter(long nanos) {
            return failedStarts.stream().filter(t -> t > nanos).count();
        }

        long lastFailureStart() {
            return failedStarts.isEmpty() ? 0 : failedStarts.getLast();
        }

        void stop() {
            stop = true;
        }
    }

    private MeshState state() {
        MeshState.Builder b = MeshState.builder().node(Node.of("node-a", subnet + ".1", subnet + ".0/24"));
        for (int i = 0; i < PODS.size(); i++) {
            b.workload(new Workload(
                    "shop",
                    PODS.get(i),
                    "node-a",
                    List.of(podIp(i)),
                    "spiffe://cluster.local/ns/shop/sa/web",
                    Map.of("app", "web"),
                    new Placement(namespaces.get(i).path().toString(), "")));
        }
        return b.service(Service.builder("shop", "web")
                        .vip(VIP)
                        .tcp(80, 8080)
                        .udp(DNS_PORT, DNS_TARGET)
                        .select("app", "web")
                        .loadBalancing(LoadBalancing.RANDOM)
                        .healthCheck(new TcpHealthCheck(80, SCHEDULE)) // the UDP port is judged by it too
                        .build())
                .build();
    }

    /** b1 on node-a (this one, zone-1), b2 on node-b (zone-1), b3 on node-c (zone-2); web prefers its node. */
    private MeshState localityState() {
        MeshState plain = state();
        MeshState.Builder b = MeshState.builder()
                .node(plain.nodes().getFirst().withZone("zone-1"))
                .node(new Node("node-b", List.of(subnet + ".251"), List.of(), "", "zone-1"))
                .node(new Node("node-c", List.of(subnet + ".252"), List.of(), "", "zone-2"));
        List<String> nodes = List.of("node-a", "node-b", "node-c");
        for (int i = 0; i < plain.workloads().size(); i++) {
            Workload w = plain.workloads().get(i);
            b.workload(w.toBuilder().node(nodes.get(i)).build());
        }
        return b.service(plain.services().getFirst().withLocality(Locality.PREFER_NODE))
                .build();
    }

    private void buildPods() throws IOException {
        Bridge.create(Netns.root(), bridge());
        bridgeMade = true;
        Addresses.add(Netns.root(), bridge(), subnet + ".1/24");
        Links.up(Netns.root(), bridge());
        for (int i = 0; i < PODS.size(); i++) {
            Netns ns = Netns.create(PREFIX + PODS.get(i));
            namespaces.add(ns);
            String hostSide = PREFIX + "v" + i;
            VethPair.create(ns, "eth0", Netns.root(), hostSide);
            Links.attach(Netns.root(), hostSide, bridge());
            Links.up(Netns.root(), hostSide);
            Addresses.add(ns, "eth0", podIp(i) + "/24");
            Links.up(ns, "eth0");
            Links.up(ns, "lo");
            Routes.viaGateway(ns, "default", subnet + ".1");
            servers.add(listen(i));
        }
    }

    /** Pod {@code i}'s backend process: a listener in its namespace that answers each connection with its name. */
    private ServerSocket listen(int i) {
        ServerSocket server = namespaces.get(i).call(() -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(podIp(i), 8080), 256);
            return s;
        });
        String name = PODS.get(i);
        Thread.ofVirtual().name("nmh-backend-" + name).start(() -> {
            while (!server.isClosed()) {
                try (Socket c = server.accept()) {
                    c.getOutputStream().write((name + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // closed: the backend is dead
                }
            }
        });
        return server;
    }

    private String podIp(int i) {
        return subnet + "." + (10 + i);
    }

    private static String bridge() {
        return PREFIX + "br";
    }

    /** A 10.217.X.0/24 no route of this machine covers (other runs of this test take other X). */
    private static String freeSubnet() {
        String routes = Netns.root().ipChecked("-4", "route", "show");
        for (int x = (int) (ProcessHandle.current().pid() % 200); x < 250; x++) {
            String candidate = "10.217." + x;
            if (!routes.contains(candidate + ".")) return candidate;
        }
        throw new IllegalStateException("no free 10.217.X.0/24 for the test pods");
    }

    private void enterCgroup() {
        joined = Cgroups.join(cgroup, originalCgroup);
    }

    private void leaveCgroup() {
        if (joined != null) joined.close();
    }

    /** Namespaces, links, pins and cgroups of earlier runs whose process is gone. */
    private static void sweepStale() throws IOException {
        StaleSweep sweep = StaleSweep.matching(LAB.staleRuns());
        sweep.namespaces();
        sweep.rootLinks();
        for (Path root : List.of(BPFFS, CGROUP2)) {
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.filter(p -> LAB.staleRuns().test(p.getFileName().toString()))
                        .toList()) {
                    if (root.equals(BPFFS)) NodeLeftovers.removeTree(p);
                    else Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        // A liveness wait, not a timing assertion: generous, and done as soon as the condition holds.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("never happened: " + what);
            Thread.sleep(2);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void attempt(List<String> problems, Step step) {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            problems.add(e.toString());
        }
    }
}
