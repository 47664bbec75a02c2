package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.config.MeshStateFiles;
import io.nodemesh.contract.Privileges;
import io.nodemesh.netlab.Cgroups;
import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.NetnsThread;
import io.nodemesh.wireguard.PrivateKeyFile;
import io.nodemesh.wireguard.WireguardDataplane;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 2: the agent process of node A ({@code --backend ebpf,wireguard}, strict encryption, a state file)
 * is killed with SIGKILL and started again under live traffic from pod a1: one long stream and a loop of new
 * connections to a service on node B (through WireGuard), and one long stream to a service on node A (socket-
 * redirected by eBPF). Every message must arrive in order, no connection may fail, the same wireguard-go must serve
 * throughout, and the underlay capture must hold only WireGuard — not one byte of the streams in clear.
 * <p>
 * Node B is a wireguard dataplane in this JVM. The eBPF programs attach at the lab's cgroup, which this JVM enters
 * while it makes pod sockets; the agents and b1's server run outside it (b1 in a process of its own, as a socket
 * of another node's kernel would be, so sk_msg cannot shortcut the cross-node pair).
 */
class AgentKillRootTest {
    /** The flow line of a connection from a1 to a2 that eBPF redirected socket to socket. */
    private static final Pattern SAME_NODE_REDIRECT = Pattern.compile(
            "REDIRECT .*" + Pattern.quote(KillLab.POD_A2 + ":" + KillLabState.PORT_A2) + ".* via SOCKET_REDIRECT");

    @TempDir
    Path dir;

    private KillLab lab;
    private WireguardDataplane nodeB;
    private Process echoB;
    private LineEcho echoA2;
    private NetnsThread podA1;
    private AgentProcess agent;
    private UnderlayDump dump;
    private LiveTraffic traffic;
    private Path originalCgroup;
    private Cgroups.Joined inWatchedCgroup;

    @BeforeEach
    void requirements() throws IOException {
        Privileges.requireRoot();
        Privileges.requireBinary("wireguard-go", "wireguard-go");
        Privileges.requireBinary("dumpcap", "wireshark-common");
        Privileges.requireBinary("nft", "nftables");
        Privileges.requireBinary("ip", "iproute2");
        Privileges.require(Files.isDirectory(KillLab.CGROUP2), "cgroup v2 not mounted at " + KillLab.CGROUP2);
        for (String b : List.of("ebpf", "wireguard")) {
            Availability a = Dataplanes.available().get(b);
            Privileges.require(a != null && a.isAvailable(), "the " + b + " backend is unavailable: " + a);
        }
        originalCgroup = Cgroups.current(KillLab.CGROUP2);
    }

    @AfterEach
    void cleanUp() throws Exception {
        List<String> problems = new ArrayList<>();
        attempt(problems, this::leaveWatchedCgroup);
        attempt(problems, () -> {
            if (traffic != null) traffic.close();
        });
        attempt(problems, () -> {
            if (agent != null) agent.close();
        });
        attempt(problems, () -> {
            if (dump != null) dump.close();
        });
        attempt(problems, () -> {
            if (echoA2 != null) echoA2.close();
        });
        attempt(problems, () -> {
            if (echoB != null) {
                echoB.destroyForcibly();
                echoB.waitFor();
            }
        });
        attempt(problems, () -> {
            if (podA1 != null) podA1.close();
        });
        attempt(problems, () -> {
            if (nodeB != null) nodeB.close();
        });
        if (lab != null) {
            attempt(problems, lab::close);
            assertThat(lab.leftovers()).as("objects left after the test").isEmpty();
        }
        assertThat(problems).as("cleanup problems").isEmpty();
    }

    @Test
    void sigkilledAgentRestartsWithNoFailedRequestNoReorderingAndNoPlaintext() throws Exception {
        lab = KillLab.create();
        String keyA = PrivateKeyFile.loadOrCreate(lab.keyFile('a')).publicKey().base64();
        nodeB = (WireguardDataplane) Dataplanes.open("wireguard", lab.nodeBOptions());
        Path state = dir.resolve("mesh.yaml");
        Files.writeString(state, KillLabState.yaml(lab, keyA, nodeB.publicKey().base64(), 0));
        nodeB.apply(MeshStateFiles.read(state));
        echoB = startEchoServer(lab.podNs("b1"), KillLab.POD_B1, KillLabState.PORT_B1);

        int port = AgentProcess.freePort();
        List<String> flags = lab.agentFlags(state, "127.0.0.1:" + port);
        Path log = dir.resolve("agent.log");
        agent = AgentProcess.start(flags, port, originalCgroup, log);
        Duration coldStart = agent.awaitReady();
        assertThat(lab.wireguardGo('a')).as("one wireguard-go for node A").hasSize(1);
        long wireguardGo = lab.wireguardGo('a').getFirst();
        String strictTable = strictModeTable(lab);
        assertThat(strictTable).as("node A's strict-mode nft table").contains("jump leak");

        enterWatchedCgroup(); // from here on, sockets this JVM makes are the eBPF programs' to see
        ServerSocket a2 = Netns.named(lab.podNs("a2"))
                .call(() -> new ServerSocket(KillLabState.PORT_A2, 128, InetAddress.getByName(KillLab.POD_A2)));
        echoA2 = LineEcho.serve(a2);
        podA1 = new NetnsThread(Netns.named(lab.podNs("a1")));

        dump = UnderlayDump.start(
                lab.underlayNs(), KillLab.UNDERLAY_BRIDGE, lab.nodeNs('b'), KillLab.UNDERLAY_BROADCAST);
        long a2PacketsBefore = vethPackets(lab.nodeNs('a'), "pa2");
        String marker = "NODEMESH-AGENT-KILL-" + UUID.randomUUID();
        traffic = new LiveTraffic(
                podA1, marker, KillLabState.VIP_CROSS, KillLabState.VIP_SAME, KillLabState.SERVICE_PORT);
        traffic.awaitProgress(200, 10); // with the first agent

        agent.kill(); // SIGKILL: no close, no shutdown hook, nothing detached on the way out
        assertThat(lab.wireguardGo('a')).as("wireguard-go outlives the agent").containsExactly(wireguardGo);
        assertThat(strictModeTable(lab))
                .as("the strict-mode table outlives the agent")
                .isEqualTo(strictTable);
        traffic.awaitProgress(200, 10); // with no agent at all

        agent = AgentProcess.start(flags, port, originalCgroup, log);
        Duration restart = agent.awaitReady();
        assertThat(strictModeTable(lab)).as("strict mode after the restart").contains("jump leak");
        traffic.awaitProgress(200, 10); // with the second agent
        // The streams' own redirect events may die with the first agent (read from the ring buffer, not yet printed):
        // a fresh same-node connection is the second agent's to report.
        traffic.roundTripOnce(new InetSocketAddress(KillLabState.VIP_SAME, KillLabState.SERVICE_PORT));
        awaitLogLine(agent, SAME_NODE_REDIRECT);

        traffic.close();
        leaveWatchedCgroup();
        List<UnderlayDump.Frame> frames = dump.stop();
        long a2Packets = vethPackets(lab.nodeNs('a'), "pa2") - a2PacketsBefore;
        long plaintext = dump.plaintextBytes(marker);

        assertThat(traffic.failures).as("failed requests or connections").isEmpty();
        assertThat(lab.wireguardGo('a'))
                .as("the same wireguard-go serves throughout")
                .containsExactly(wireguardGo);
        assertThat(agent.log())
                .as("the eBPF backend reports the same-node pair as socket-redirected")
                .containsPattern(SAME_NODE_REDIRECT);
        assertThat(a2Packets)
                .as(
                        "packets on pod a2's veth for %d same-node messages: redirected, they skip it",
                        traffic.sameStream.get())
                .isLessThan(traffic.sameStream.get() / 10);
        assertThat(plaintext).as("stream bytes in clear on the underlay").isZero();
        List<UnderlayDump.Frame> application =
                frames.stream().filter(f -> !f.isMulticastControl()).toList();
        assertThat(application)
                .as("underlay frames")
                .isNotEmpty()
                .allSatisfy(f -> assertThat(f.isWireguardUdp(KillLab.WG_PORT))
                        .as("%s:%d -> %s:%d proto %d", f.src(), f.srcPort(), f.dst(), f.dstPort(), f.protocol())
                        .isTrue());

        System.out.printf(
                """
                agent SIGKILL + restart under live traffic (ebpf,wireguard strict):
                  %-34s %d
                  %-34s %d
                  %-34s %d
                  %-34s %d
                  %-34s %d
                  %-34s %d
                  %-34s %d
                  %-34s %d ms
                  %-34s %d ms
                """,
                "cross-node stream messages",
                traffic.crossStream.get(),
                "same-node (redirected) messages",
                traffic.sameStream.get(),
                "new cross-node connections",
                traffic.connections.get(),
                "failures",
                traffic.failures.size(),
                "plaintext stream bytes on underlay",
                plaintext,
                "underlay packets captured",
                application.size(),
                "packets on a2's veth (same-node)",
                a2Packets,
                "cold start: exec to /readyz 200",
                coldStart.toMillis(),
                "restart: exec to /readyz 200",
                restart.toMillis());
        System.out.print(startLines(agent.log()));
    }

    /** Waits up to 15 s for a line matching {@code pattern} in the agent's log (flows are printed as they are read). */
    private static void awaitLogLine(AgentProcess agent, Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15); // only ends a failing test
        while (!pattern.matcher(agent.log()).find() && System.nanoTime() < deadline) Thread.sleep(20);
    }

    /** The agents' own lines, stamped with the time since exec (the flow lines left out): where a start goes. */
    private static String startLines(String log) {
        return log.lines()
                .filter(l -> !l.contains(" via "))
                .map(l -> "  " + l + "\n")
                .reduce("", String::concat);
    }

    /** b1's server: a JVM of its own in b1's namespace, outside the watched cgroup. Returns once it listens. */
    private static Process startEchoServer(String netns, String ip, int port) throws IOException {
        Path classes = Path.of("target", "test-classes").toAbsolutePath();
        if (!Files.isDirectory(classes)) throw new IllegalStateException("no test classes at " + classes);
        Process p = new ProcessBuilder(Netns.named(netns)
                        .wrap(List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java")
                                        .toString(),
                                "-cp",
                                classes.toString(),
                                LineEcho.class.getName(),
                                ip,
                                Integer.toString(port))))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (!"ready".equals(first)) {
            p.destroyForcibly();
            throw new IllegalStateException("the echo server in " + netns + " did not start: " + first);
        }
        return p;
    }

    /** Node A's strict-mode table as nft lists it, its counters left out (they count the drops as they happen). */
    private static String strictModeTable(KillLab lab) {
        return Netns.named(lab.nodeNs('a'))
                .execChecked("nft", "list", "table", "inet", "nodemesh_wireguard")
                .replaceAll("packets \\d+ bytes \\d+", "");
    }

    /** Packets both ways on {@code link} in {@code netns}, as the kernel counts them. */
    private static long vethPackets(String netns, String link) {
        Netns ns = Netns.named(netns);
        long n = 0;
        for (String counter : List.of("rx_packets", "tx_packets")) {
            n += Long.parseLong(ns.execChecked("cat", "/sys/class/net/" + link + "/statistics/" + counter)
                    .strip());
        }
        return n;
    }

    private void enterWatchedCgroup() {
        inWatchedCgroup = Cgroups.join(lab.cgroup, originalCgroup);
    }

    private void leaveWatchedCgroup() {
        if (inWatchedCgroup != null) inWatchedCgroup.close();
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
