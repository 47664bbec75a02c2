package io.nodemesh.ebpf.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.contract.ConnectOutcome;
import io.nodemesh.contract.Privileges;
import io.nodemesh.ebpf.support.RootSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pod fixtures themselves, as root: pods reach each other and the host over v4 and v6, and cleanup leaves nothing. */
class PodNetworkRootTest {
    private PodNetwork net;

    @BeforeEach
    void requirements() {
        Privileges.requireRoot();
        Privileges.requireBinary("ip", "iproute2");
        Privileges.require(Files.isDirectory(RootSupport.CGROUP2), "cgroup v2 not mounted at " + RootSupport.CGROUP2);
    }

    @AfterEach
    void cleanUp() {
        if (net != null) net.close();
        RootSupport.removeCgroupTree(
                RootSupport.CGROUP2.resolve(RootSupport.PREFIX).resolve("pods"));
    }

    @Test
    void podsReachEachOtherAndTheHostReachesThemOverIpv4AndIpv6() {
        net = PodNetwork.create();
        Pod a = net.addPod("a");
        Pod b = net.addPod("b");
        b.serve(8080, "ns/b");
        a.serve(8080, "ns/a");

        assertThat(a.connect(b.ipv4(), 8080)).isEqualTo(new ConnectOutcome.Reached("ns/b"));
        assertThat(a.connect(b.ipv6(), 8080)).isEqualTo(new ConnectOutcome.Reached("ns/b"));
        assertThat(b.connect(a.ipv4(), 8080)).isEqualTo(new ConnectOutcome.Reached("ns/a"));
        assertThat(a.sendUdp(b.ipv4(), 8080)).isEqualTo(new ConnectOutcome.Reached("ns/b"));
        assertThat(a.sendUdp(b.ipv6(), 8080)).isEqualTo(new ConnectOutcome.Reached("ns/b"));
        // from the host (this thread is in the host's namespace), through the bridge
        assertThat(Clients.tcp(b.ipv4(), 8080)).isEqualTo(new ConnectOutcome.Reached("ns/b"));
        assertThat(Clients.tcp(b.ipv6(), 8080)).isEqualTo(new ConnectOutcome.Reached("ns/b"));
        // a port nobody listens on is refused, and the errno is named
        assertThat(a.connect(b.ipv4(), 9)).isEqualTo(new ConnectOutcome.Failed("ECONNREFUSED"));
        // the server's sockets are really inside the pod: the host's own loopback has nobody on 8080
        assertThat(Clients.tcp("127.0.0.1", 8080)).isEqualTo(new ConnectOutcome.Failed("ECONNREFUSED"));
    }

    @Test
    void processesRunInThePodsNamespaceAndCgroup() {
        net = PodNetwork.create();
        Pod a = net.addPodWithCgroup("a");
        Pod b = net.addPod("b");
        b.serve(7000, "ns/b");
        assertThat(a.cgroup()).isPresent();
        String cgroupLine = a.exec("cat", "/proc/self/cgroup").output();
        assertThat(cgroupLine)
                .contains("0::/" + RootSupport.CGROUP2.relativize(a.cgroup().orElseThrow()));
        assertThat(a.exec("ip", "-o", "addr", "show", "dev", "eth0").output()).contains(a.ipv4() + "/24");
        assertThat(a.connectFromProcess(b.ipv4(), 7000)).isEqualTo(new ConnectOutcome.Reached("ns/b"));
        assertThat(a.connectFromProcess(b.ipv4(), 7001)).isEqualTo(new ConnectOutcome.Failed("ECONNREFUSED"));
    }

    @Test
    void closeRemovesEverythingEvenAfterAFailedPod() {
        net = PodNetwork.create();
        Pod a = net.addPodWithCgroup("a");
        a.serve(8080, "ns/a");
        assertThatThrownBy(() -> net.addPod("a")).hasMessage("pod a already exists");
        assertThatThrownBy(() -> net.addPod("Not A Label")).hasMessageContaining("must be a short DNS label");
        // a pod whose creation fails half-way (its netns exists already) is undone without touching the others
        Shell.check("ip", "netns", "add", RootSupport.PREFIX + "-clash");
        try {
            assertThatThrownBy(() -> net.addPod("clash"))
                    .hasMessageContaining("ip netns add " + RootSupport.PREFIX + "-clash");
        } finally {
            Shell.run("ip", "netns", "del", RootSupport.PREFIX + "-clash");
        }
        assertThat(net.pods()).extracting(Pod::name).containsExactly("a");
        assertThat(Clients.tcp(a.ipv4(), 8080)).isEqualTo(new ConnectOutcome.Reached("ns/a"));
        Path cgroup = a.cgroup().orElseThrow();
        String bridge = net.bridge();
        net.close();
        net = null;

        assertThat(Shell.check("ip", "netns", "list")).doesNotContain(RootSupport.PREFIX);
        assertThat(Shell.check("ip", "-o", "link", "show")).doesNotContain(RootSupport.PREFIX);
        assertThat(Shell.run("ip", "link", "show", bridge).ok()).isFalse();
        assertThat(cgroup).doesNotExist();
        assertThat(RootSupport.CGROUP2.resolve(RootSupport.PREFIX).resolve("pods"))
                .doesNotExist();
    }

    @Test
    void leftoversOfADeadRunAreSwept() {
        String dead = "nme999999999"; // above the kernel's largest pid_max (2^22), so no live process has it
        Shell.check("ip", "netns", "add", dead + "-old");
        Shell.check("ip", "link", "add", dead + "x", "type", "veth", "peer", "name", dead + "y");
        try {
            net = PodNetwork.create();
            assertThat(Shell.check("ip", "netns", "list")).doesNotContain(dead);
            assertThat(Shell.run("ip", "link", "show", dead + "x").ok()).isFalse();
            assertThat(Shell.run("ip", "link", "show", dead + "y").ok()).isFalse();
        } finally {
            Shell.run("ip", "netns", "del", dead + "-old");
            Shell.run("ip", "link", "del", dead + "x");
        }
    }
}
