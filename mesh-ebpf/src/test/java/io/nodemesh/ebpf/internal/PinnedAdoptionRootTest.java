package io.nodemesh.ebpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.internal.InstalledObjects.Installed;
import io.nodemesh.ebpf.support.BpfFdLeakCheck;
import io.nodemesh.ebpf.support.DataplaneFixture;
import io.nodemesh.ebpf.support.Netns;
import io.nodemesh.ebpf.support.SockKeys;
import io.nodemesh.ebpf.testing.Pod;
import io.nodemesh.ebpf.testing.PodNetwork;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent restart over the pins of unchanged objects loads nothing ({@code bpf_object__load} counted at the libbpf
 * seam over the real kernel), given the state the maps hold plans and writes nothing, and serves on: a connection to a VIP made before keeps working, a new one is balanced and
 * redirected by the adopted programs. A record naming another object digest, a damaged record and a missing one each
 * make the open load every object again, and the log says why.
 */
@ExtendWith(BpfFdLeakCheck.class)
class PinnedAdoptionRootTest {
    private static final String VIP = "10.62.0.1";
    private static final int PORT = 8080;

    private static PodNetwork pods;
    private static String a, b;

    @TempDir
    Path stateDir;

    private DataplaneFixture fixture;
    private SeamCallCounter counter;

    @BeforeAll
    static void makePods() {
        pods = DataplaneFixture.podNetwork();
        if (pods == null) return;
        a = pods.addPod("a").ipv4();
        b = pods.addPod("b").ipv4();
    }

    @AfterAll
    static void removePods() {
        DataplaneFixture.removePodNetwork(pods);
    }

    @BeforeEach
    void setUp() {
        fixture = DataplaneFixture.prepare("adopt");
        counter = new SeamCallCounter(fixture.bpf());
    }

    @AfterEach
    void tearDown() {
        if (fixture == null) return;
        try {
            if (Files.exists(fixture.pinRoot())) {
                try (EbpfDataplane dp = open()) {
                    dp.uninstall();
                }
            }
        } finally {
            fixture.close(this::open);
        }
    }

    private EbpfDataplane open() {
        DataplaneOptions options = new DataplaneOptions("n1", Map.of())
                .with("ebpf.pinRoot", fixture.pinRoot().toString())
                .with("ebpf.cgroupRoot", fixture.cgroup().path().toString())
                .with("ebpf.stateDir", stateDir.toString());
        return EbpfDataplane.open(counter.bpf(), options);
    }

    private static MeshState state() {
        return MeshState.builder()
                .node(Node.of("n1", "192.168.62.1", pods.cidrV4()))
                .workload(pod("a", a))
                .workload(pod("b", b))
                .service(Service.builder("t", "svc")
                        .vip(VIP)
                        .tcp(80, PORT)
                        .select("app", "b")
                        .build())
                .build();
    }

    private static Workload pod(String name, String ip) {
        return new Workload(
                "t",
                name,
                "n1",
                List.of(ip),
                "spiffe://cluster.local/ns/t/sa/" + name,
                Map.of("app", name),
                new Placement(podNamed(name).netnsPath().toString(), ""));
    }

    private static Pod podNamed(String name) {
        return pods.pods().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aRestartOverUnchangedObjectsLoadsNothingAndAVipConnectionKeepsWorking() throws Exception {
        long loadedFresh;
        try (EbpfDataplane dp = open()) {
            loadedFresh = counter.take("loadObject");
            assertThat(loadedFresh).as("a fresh node loads every object").isGreaterThanOrEqualTo(3);
            dp.apply(state());
        } // closing writes the record
        try (ServerSocket server = inPod("b", () -> new ServerSocket(PORT, 50, InetAddress.getByName(b)))) {
            Socket client = connectToVip();
            try (client;
                    Socket accepted = server.accept()) {
                roundTrips(client, accepted, 20);
                for (int restart = 1; restart <= 2; restart++) {
                    try (EbpfDataplane dp = open()) {
                        assertThat(counter.take("loadObject"))
                                .as("bpf_object__load calls of restart %d over unchanged objects", restart)
                                .isZero();
                        assertThat(dp.installation().reattached()).isTrue();
                        counter.take("updateBatch");
                        counter.take("update");
                        String log = logOf(() -> {
                            dp.apply(state());
                            return null;
                        });
                        assertThat(log)
                                .as("the same state over maps that hold it is verified, not planned")
                                .contains("the maps hold this very state (applied-state record), nothing planned");
                        assertThat(counter.take("updateBatch") + counter.take("update"))
                                .as("map writes of the first apply")
                                .isZero();
                        assertThat(counter.take("loadObject")).isZero();
                        roundTrips(client, accepted, 20);
                        // the adopted programs serve new connections too: balanced to b and redirected
                        try (Socket second = connectToVip();
                                Socket secondAccepted = server.accept()) {
                            assertThat(second.getInetAddress().getHostAddress())
                                    .as("the client sees the VIP")
                                    .isEqualTo(VIP);
                            roundTrips(second, secondAccepted, 5);
                            assertThat(SockKeys.of(dp.installation().map("nm_sockhash")))
                                    .as("sockops of the adopted programs put the new connection in the sockhash")
                                    .anyMatch(k -> k.localPort() == second.getLocalPort());
                        }
                    }
                }
            }
        }
    }

    @Test
    void aRecordNamingAnotherObjectDigestLoadsEveryObjectAndSaysWhy() throws Exception {
        long loadedFresh = applyOnceAndClose();
        Path file = AppliedRecord.fileOf(stateDir, fixture.pinRoot());
        AppliedRecord r = AppliedRecord.read(file).orElseThrow();
        List<Installed> objects = new ArrayList<>();
        for (Installed o : r.objects().objects()) {
            byte[] sha = o.sha256().clone();
            if (o.name().equals("service")) sha[0] ^= 0x01; // as if the jar's service.bpf.o were another build
            objects.add(new Installed(o.name(), sha, o.programs(), o.sharedMaps(), o.privateMaps(), o.iterator()));
        }
        InstalledObjects changed =
                new InstalledObjects(r.objects().askedSizes(), r.objects().mapSizes(), objects);
        new AppliedRecord(r.layout(), r.node(), r.config(), r.digest(), r.stateDigest(), r.allocations(), changed)
                .write(file);

        String log = logOf(() -> {
            try (EbpfDataplane dp = open()) {
                assertThat(counter.take("loadObject"))
                        .as("a changed object digest loads every object as a fresh node does")
                        .isEqualTo(loadedFresh);
                dp.apply(state());
            }
            return null;
        });
        assertThat(log).contains("eBPF: loading every object again: object service changed (SHA-256 ");
        // the record the full load wrote is trusted by the next restart
        try (EbpfDataplane dp = open()) {
            assertThat(counter.take("loadObject")).isZero();
        }
    }

    @Test
    void aDamagedOrMissingRecordLoadsEveryObjectAndSaysWhy() throws Exception {
        long loadedFresh = applyOnceAndClose();
        Path file = AppliedRecord.fileOf(stateDir, fixture.pinRoot());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(file, bytes);

        String damaged = logOf(() -> {
            try (EbpfDataplane dp = open()) { // closed unapplied: the damaged record stays
                assertThat(counter.take("loadObject")).isEqualTo(loadedFresh);
            }
            return null;
        });
        assertThat(damaged)
                .contains("eBPF: loading every object again: the applied-state record " + file + " is unreadable");

        Files.delete(file);
        String missing = logOf(() -> {
            try (EbpfDataplane dp = open()) {
                assertThat(counter.take("loadObject")).isEqualTo(loadedFresh);
            }
            return null;
        });
        assertThat(missing).contains("eBPF: loading every object again: no applied-state record at " + file);
    }

    /** A fresh open that applies the state and closes (writing the record); the objects it loaded. */
    private long applyOnceAndClose() {
        try (EbpfDataplane dp = open()) {
            dp.apply(state());
        }
        long loaded = counter.take("loadObject");
        assertThat(loaded).isGreaterThanOrEqualTo(3);
        return loaded;
    }

    /** A connection from pod a to the VIP, made inside the test cgroup where the programs are attached. */
    private Socket connectToVip() throws Exception {
        fixture.cgroup().enter();
        try {
            return inPod("a", () -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(VIP, 80), 5000);
                return s;
            });
        } finally {
            fixture.cgroup().leave();
        }
    }

    private static <T> T inPod(String pod, Callable<T> body) throws Exception {
        return Netns.call(podNamed(pod).netns(), body);
    }

    private static void roundTrips(Socket client, Socket server, int n) throws IOException {
        byte[] msg = new byte[64];
        for (int i = 0; i < n; i++) {
            Arrays.fill(msg, (byte) i);
            client.getOutputStream().write(msg);
            byte[] got = server.getInputStream().readNBytes(64);
            assertThat(got).isEqualTo(msg);
            server.getOutputStream().write(got);
            assertThat(client.getInputStream().readNBytes(64)).isEqualTo(msg);
        }
    }

    /** What the backend logged (slf4j-simple writes to System.err) while {@code body} ran. */
    private static String logOf(Callable<Void> body) throws Exception {
        PrintStream before = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.call();
        } finally {
            System.setErr(before);
            before.print(captured.toString(StandardCharsets.UTF_8));
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
