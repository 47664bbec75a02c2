package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.wireguard.PrivateKeyFile;
import io.nodemesh.wireguard.WireguardDataplane;
import io.nodemesh.wireguard.testing.Await;
import io.nodemesh.wireguard.testing.DataplaneProcessMain;
import io.nodemesh.wireguard.testing.EchoClient;
import io.nodemesh.wireguard.testing.EchoServer;
import io.nodemesh.wireguard.testing.MeshTopology;
import io.nodemesh.wireguard.testing.UnderlayCapture;
import io.nodemesh.wireguard.testing.WireguardNodes;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Restart safety under live traffic: node 1's dataplane runs in a JVM of its own, which is killed with SIGKILL and
 * started again while pod 1 streams numbered requests to pod 2 over one connection and opens new connections in a
 * loop, with strict mode on. Nothing may fail, the stream stays in order, and the underlay sees only WireGuard.
 */
class DataplaneRestartRootTest {
    private static final int WG_PORT = 51820;

    private MeshTopology topo;
    private WireguardDataplane nodeB;
    private EchoServer server;
    private Process agent;
    private Path agentLog;

    @BeforeEach
    void setUp() throws IOException {
        WireguardNodes.require("dumpcap", "wireshark-common");
        topo = MeshTopology.create(3); // node 3 only sends the capture's flush probe
        agentLog = Files.createTempFile("nmw-agent-", ".log");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (agent != null) {
                agent.destroyForcibly();
                agent.waitFor(10, TimeUnit.SECONDS);
            }
            if (server != null) server.close();
            if (nodeB != null) nodeB.close();
        } finally {
            WireguardDataplane.uninstall(options(1));
            WireguardDataplane.uninstall(options(2));
            topo.close();
            Files.deleteIfExists(agentLog);
        }
        assertThat(MeshTopology.leftovers()).as("objects left after the test").isEmpty();
    }

    private DataplaneOptions options(int i) {
        return topo.options(i).with("wireguard.keepalive", "5");
    }

    @Test
    void sigkilledAgentIsAdoptedWithNoFailedRequestAndNoPlaintext() throws Exception {
        String keyA = PrivateKeyFile.loadOrCreate(topo.keyDir().resolve("node-1.key"))
                .publicKey()
                .base64();
        nodeB = (WireguardDataplane) Dataplanes.open("wireguard", options(2));
        MeshState state = MeshState.builder()
                .encryption(new EncryptionSpec(EncryptionSpec.Mode.WIREGUARD, EncryptionSpec.Enforcement.STRICT, ""))
                .node(topo.meshNode(1).withWireguardPublicKey(keyA))
                .node(topo.meshNode(2).withWireguardPublicKey(nodeB.publicKey().base64()))
                .build();
        nodeB.apply(state);
        server = EchoServer.startIn(topo.podNs(2));

        BlockingQueue<String> ready = startAgent(state);
        assertThat(ready.poll(60, TimeUnit.SECONDS)).isEqualTo("READY adopted=false generation=1");
        assertThat(Await.until(() -> EchoClient.canReach(topo.podNs(1), MeshTopology.podIp(2), 3000), 30))
                .as("pod 1 reaches pod 2")
                .isTrue();
        long wireguardGo = wireguardGoPid();

        String marker = "NODEMESH-RESTART-" + UUID.randomUUID();
        UnderlayCapture capture = UnderlayCapture.start(
                topo.underlayNs(),
                MeshTopology.UNDERLAY_BRIDGE,
                new UnderlayCapture.FlushProbe(topo.nodeNs(3), "10.211.0.255"));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong streamed = new AtomicLong();
        AtomicLong connections = new AtomicLong();
        List<String> failures = new CopyOnWriteArrayList<>();
        Thread stream = Thread.ofPlatform().start(() -> {
            try (EchoClient c = EchoClient.connect(topo.podNs(1), MeshTopology.podIp(2), 30_000)) {
                // roundTrip checks each reply is the line just sent: order and completeness on one connection
                while (running.get()) c.roundTrip(marker + "-stream-" + streamed.incrementAndGet());
            } catch (IOException | RuntimeException e) {
                failures.add("stream at message " + streamed.get() + ": " + e);
            }
        });
        Thread connector = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                long n = connections.incrementAndGet();
                try (EchoClient c = EchoClient.connect(topo.podNs(1), MeshTopology.podIp(2), 30_000)) {
                    c.roundTrip(marker + "-conn-" + n);
                } catch (IOException | RuntimeException e) {
                    failures.add("connection " + n + ": " + e);
                }
            }
        });
        try {
            awaitProgress(streamed, connections, failures);
            agent.destroyForcibly(); // SIGKILL: no close, no shutdown hook
            agent.waitFor();
            awaitProgress(streamed, connections, failures); // serving with no agent at all
            ready = startAgent(state);
            assertThat(ready.poll(60, TimeUnit.SECONDS)).isEqualTo("READY adopted=true generation=1");
            awaitProgress(streamed, connections, failures); // and after adoption
        } finally {
            running.set(false);
            stream.join(60_000);
            connector.join(60_000);
        }
        List<UnderlayCapture.Packet> packets = capture.stop();

        assertThat(failures).as("failed requests or connections").isEmpty();
        assertThat(wireguardGoPid())
                .as("the same wireguard-go serves throughout")
                .isEqualTo(wireguardGo);
        assertThat(capture.contains(marker))
                .as("test stream in clear on the underlay")
                .isFalse();
        assertThat(packets)
                .filteredOn(p -> !(p.protocol() == 2 && p.dst().startsWith("224.0.0.")))
                .isNotEmpty()
                .allSatisfy(p -> {
                    assertThat(p.isUdp())
                            .as("%s -> %s proto %d", p.src(), p.dst(), p.protocol())
                            .isTrue();
                    assertThat(List.of(p.srcPort(), p.dstPort())).containsOnly(WG_PORT);
                });
        System.out.printf(
                "restart under traffic: %d stream messages, %d connections, 0 failed, %d underlay packets%n",
                streamed.get(), connections.get(), packets.size());
    }

    /** Waits for 50 more stream messages and 5 more connections, failing fast if one fails. */
    private static void awaitProgress(AtomicLong streamed, AtomicLong connections, List<String> failures) {
        long s = streamed.get() + 50;
        long c = connections.get() + 5;
        assertThat(Await.until(() -> !failures.isEmpty() || (streamed.get() >= s && connections.get() >= c), 60))
                .as("traffic progresses")
                .isTrue();
        assertThat(failures).isEmpty();
    }

    private long wireguardGoPid() {
        return ProcessHandle.allProcesses()
                .filter(p -> DeviceProcess.serves(p, "wireguard-go", topo.wgIface(1)))
                .findFirst()
                .orElseThrow()
                .pid();
    }

    /** Starts node 1's agent JVM; its stdout lines arrive in the returned queue. */
    private BlockingQueue<String> startAgent(MeshState state) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                classPath(),
                DataplaneProcessMain.class.getName(),
                topo.nodeName(1)));
        for (var n : state.nodes())
            cmd.add("node=" + n.name() + "," + n.addresses().getFirst() + ","
                    + n.podCidrs().getFirst() + "," + n.wireguardPublicKey());
        options(1).properties().forEach((k, v) -> cmd.add(k + "=" + v));
        agent = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(agentLog.toFile()))
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process p = agent;
        Thread.ofPlatform().daemon().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) lines.add(line);
            } catch (IOException ignored) {
                // the agent died
            }
        });
        return lines;
    }

    /** This JVM's module path and class path, and the test classes, as one class path for the agent JVM. */
    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String prop : List.of("jdk.module.path", "java.class.path")) {
            String v = System.getProperty(prop, "");
            for (String e : v.split(File.pathSeparator)) if (!e.isBlank()) entries.add(e);
        }
        try {
            entries.add(Path.of(DataplaneProcessMain.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString());
            entries.add(Path.of(WireguardDataplane.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return String.join(File.pathSeparator, entries);
    }
}
