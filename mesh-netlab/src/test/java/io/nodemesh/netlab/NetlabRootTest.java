package io.nodemesh.netlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.contract.Privileges;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real namespaces, veths and a bridge (prefix {@code nml<pid>}): traffic crosses them, and nothing is left after
 * close — also when a step fails half way, and after a crashed run (a namespace of a dead pid is swept).
 */
class NetlabRootTest {
    private static final LabPrefix PREFIX = LabPrefix.forThisProcess("nml");

    @BeforeEach
    void gate() {
        Privileges.requireRoot();
        Privileges.requireBinary("ip", "iproute2");
        StaleSweep sweep = StaleSweep.matching(PREFIX.staleRuns().or(PREFIX::owns));
        sweep.namespaces();
        sweep.rootLinks();
    }

    @AfterEach
    void nothingLeft() {
        List<String> left = leftovers();
        StaleSweep.matching(PREFIX::owns).namespaces();
        StaleSweep.matching(PREFIX::owns).rootLinks();
        assertThat(left).as("left behind").isEmpty();
    }

    @Test
    void twoNamespacesOnABridgeTalkAndAreGoneAfterClose() throws Exception {
        String server = PREFIX.name("-s");
        try (Netns node = Netns.create(PREFIX.name("-n"));
                Netns pod = Netns.create(PREFIX.name("-p"));
                Netns srv = Netns.create(server)) {
            Bridge br = Bridge.create(node, "br0");
            Addresses.add(node, "br0", "10.230.0.1/24");
            wire(node, br, pod, "vp", "10.230.0.2/24");
            wire(node, br, srv, "vs", "10.230.0.3/24");
            Routes.viaGateway(pod, "10.231.0.0/24", "10.230.0.1", 100);

            assertThat(pod.execChecked("ip", "-4", "-o", "addr", "show", "dev", "eth0"))
                    .contains("10.230.0.2/24");
            assertThat(pod.ipChecked("route", "show", "10.231.0.0/24")).contains("via 10.230.0.1", "metric 100");
            assertThat(Links.names(node)).contains("br0", "vp", "vs");
            assertThat(Netns.list()).contains(node.name(), pod.name(), server);

            try (NetnsThread inServer = new NetnsThread(srv);
                    ServerSocket listener = inServer.call(
                            () -> new ServerSocket(7070, 1, java.net.InetAddress.getByName("10.230.0.3")))) {
                Thread echo = Thread.ofPlatform().start(() -> {
                    try (Socket s = listener.accept();
                            InputStream in = s.getInputStream();
                            OutputStream out = s.getOutputStream()) {
                        out.write(in.read() + 1);
                    } catch (IOException ignored) {
                        // the client's assertion reports it
                    }
                });
                try (Socket c = pod.call(() -> {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("10.230.0.3", 7070), 5000);
                    s.setSoTimeout(5000);
                    return s;
                })) {
                    c.getOutputStream().write(41);
                    assertThat(c.getInputStream().read())
                            .as("echo across pod -> veth -> bridge -> veth -> server")
                            .isEqualTo(42);
                }
                echo.join();
            }
            // A process left inside is stopped by close, not orphaned.
            ChildProcess sleeper = ChildProcess.start("sleeper", new ProcessBuilder(pod.wrap(List.of("sleep", "300"))));
            // `ip netns exec` enters the namespace after it starts: wait for it to be in there before closing.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!pod.pids().contains(sleeper.pid()) && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(pod.pids()).contains(sleeper.pid());
        }
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void ipv6AddressesWithoutDadAndIpv6DefaultRoutesCarryTrafficAtOnce() throws Exception {
        try (Netns node = Netns.create(PREFIX.name("-n"));
                Netns pod = Netns.create(PREFIX.name("-p"));
                Netns srv = Netns.create(PREFIX.name("-s"))) {
            Bridge br = Bridge.create(node, "br0");
            Addresses.addWithoutDad(node, "br0", "fd00:230::1/64");
            VethPair.create(node, "vp", pod, "eth0");
            br.attach("vp");
            Addresses.addWithoutDad(pod, "eth0", "fd00:230::2/64");
            Links.up(pod, "eth0");
            VethPair.create(node, "vs", srv, "eth0");
            br.attach("vs");
            Addresses.addWithoutDad(srv, "eth0", "fd00:230::3/64");
            Links.up(srv, "eth0");
            Routes.viaGateway(pod, "default", "fd00:230::1");

            // nodad: the address is not tentative, so the bind below works right away
            // (the kernel's own link-local address still does DAD: only the global scope is ours)
            assertThat(pod.execChecked("ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"))
                    .contains("fd00:230::2/64", "nodad")
                    .doesNotContain("tentative");
            assertThat(pod.ipChecked("-6", "route", "show", "default")).contains("via fd00:230::1");
            assertThat(pod.ipChecked("route", "show", "default"))
                    .as("no IPv4 default was made")
                    .isEmpty();

            try (NetnsThread inServer = new NetnsThread(srv);
                    ServerSocket listener = inServer.call(
                            () -> new ServerSocket(8081, 5, java.net.InetAddress.getByName("fd00:230::3")));
                    Socket client = pod.call(() -> {
                        Socket s = new Socket();
                        s.connect(new InetSocketAddress("fd00:230::3", 8081), 5000);
                        return s;
                    });
                    Socket accepted = listener.accept()) {
                assertThat(accepted.getInetAddress().getHostAddress()).isEqualTo("fd00:230:0:0:0:0:0:2");
            }
        }
    }

    @Test
    void aStepThatFailsStillLeavesNothing() {
        assertThatThrownBy(() -> {
                    try (Netns node = Netns.create(PREFIX.name("-n"))) {
                        Bridge.create(node, "br0");
                        VethPair.create(node, "v1", Netns.named(PREFIX.name("-absent")), "eth0");
                    }
                })
                .isInstanceOf(CommandException.class)
                .hasMessageContaining("ip -n " + PREFIX.name("-n") + " link add v1 type veth peer name eth0 netns "
                        + PREFIX.name("-absent"))
                .hasMessageContaining("(exit ");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aThreadForAMissingNamespaceFailsAtOnceNamingIt() {
        Netns absent = Netns.named(PREFIX.name("-absent"));
        assertThatThrownBy(() -> new NetnsThread(absent)).hasMessageContaining("cannot enter netns " + absent.name());
        assertThatThrownBy(() -> absent.call(() -> 1)).hasMessageContaining("open /var/run/netns/" + absent.name());
    }

    @Test
    void aVethWithOneEndInTheRootNamespaceIsRemovedWithItsNamespace() {
        try (Netns ns = Netns.create(PREFIX.name("-r"))) {
            VethPair.create(ns, "eth0", Netns.root(), PREFIX.name("h"));
            assertThat(Links.exists(Netns.root(), PREFIX.name("h"))).isTrue();
        }
        assertThat(Links.exists(Netns.root(), PREFIX.name("h"))).isFalse();
    }

    @Test
    void aCrashedRunsNamespaceIsSweptButALiveRunsIsNot() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String stale = "nml" + gone.pid() + "-x";
        String live = "nml1-x"; // pid 1 is alive: a concurrent run's, never ours to remove
        Netns.create(stale);
        try (Netns alive = Netns.create(live)) {
            List<String> removed = StaleSweep.matching(PREFIX.staleRuns()).namespaces();
            assertThat(removed).containsExactly(stale);
            assertThat(Netns.exists(stale)).isFalse();
            assertThat(Netns.exists(alive.name())).isTrue();
        } finally {
            if (Netns.exists(stale)) Netns.named(stale).delete();
        }
    }

    private static void wire(Netns node, Bridge br, Netns pod, String hostSide, String cidr) {
        VethPair.create(node, hostSide, pod, "eth0");
        br.attach(hostSide);
        Addresses.add(pod, "eth0", cidr);
        Links.up(pod, "eth0");
    }

    private static List<String> leftovers() {
        List<String> left = new ArrayList<>();
        for (String ns : Netns.list()) if (PREFIX.owns(ns) || ns.equals("nml1-x")) left.add("netns " + ns);
        for (String link : Links.names(Netns.root())) if (PREFIX.owns(link)) left.add("link " + link);
        return left;
    }
}
