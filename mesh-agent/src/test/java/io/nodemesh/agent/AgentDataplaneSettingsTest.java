package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.agent.NodeDataplaneSettings.Assembly;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the agent's flags become one consistent set of backend settings, and what it refuses. */
class AgentDataplaneSettingsTest {
    static final NodeFlags PROXY = new NodeFlags(
            "192.168.0.1",
            15006,
            null,
            "/sys/fs/bpf/nm",
            "/sys/fs/cgroup/unified",
            "nm-wg7",
            51900,
            "/var/lib/nm/wg.key");

    @Test
    void oneSetOfFlagsConfiguresEveryBackendConsistently() {
        Map<String, String> p = ready(List.of("ebpf", "envoy", "wireguard"), PROXY, Map.of())
                .options()
                .properties();
        assertThat(p)
                .containsEntry("ebpf.proxyAddress", "192.168.0.1")
                .containsEntry("ebpf.proxyPort", "15006")
                .containsEntry("envoy.outboundPort", "15006")
                .containsEntry("ebpf.pinRoot", "/sys/fs/bpf/nm")
                .containsEntry("ebpf.cgroupRoot", "/sys/fs/cgroup/unified")
                .containsEntry("wireguard.interface", "nm-wg7")
                .containsEntry("wireguard.listenPort", "51900")
                .containsEntry("wireguard.keyFile", "/var/lib/nm/wg.key");
        assertThat(ready(List.of("ebpf", "envoy", "wireguard"), PROXY, Map.of())
                        .options()
                        .node())
                .isEqualTo("node-a");
    }

    @Test
    void withoutAPortTheSteeringTargetIsEnvoysDefaultListener() {
        var flags = new NodeFlags("10.0.0.5", null, null, null, null, null, null, null);
        Assembly.Ready r = ready(List.of("ebpf", "envoy"), flags, Map.of());
        assertThat(r.options().properties())
                .containsEntry("ebpf.proxyPort", "15001")
                .containsEntry("envoy.outboundPort", "15001");
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("15001"));
        // One side given through the escape hatch: the other follows it.
        assertThat(ready(List.of("ebpf", "envoy"), flags, Map.of("envoy.outboundPort", "16000"))
                        .options()
                        .properties())
                .containsEntry("ebpf.proxyPort", "16000");
    }

    @Test
    void aSteeringPortThatIsNotEnvoysListenerIsAnErrorNamingBoth() {
        var flags = new NodeFlags("10.0.0.5", null, null, null, null, null, null, null);
        assertThat(refused(
                        List.of("ebpf", "envoy"),
                        flags,
                        Map.of("ebpf.proxyPort", "15002", "envoy.outboundPort", "15001")))
                .singleElement()
                .asString()
                .contains("ebpf.proxyPort=15002")
                .contains("envoy.outboundPort=15001")
                .contains("--proxy-port");
    }

    @Test
    void aFlagAndAnOptionForTheSameSettingMustAgree() {
        assertThat(refused(List.of("ebpf", "envoy"), PROXY, Map.of("envoy.outboundPort", "15002")))
                .singleElement()
                .asString()
                .contains("--proxy-port=15006")
                .contains("--option envoy.outboundPort=15002");
        // Saying the same twice is fine.
        assertThat(ready(List.of("ebpf", "envoy"), PROXY, Map.of("ebpf.proxyPort", "15006"))
                        .options()
                        .properties())
                .containsEntry("ebpf.proxyPort", "15006");
    }

    @Test
    void envoyWithEbpfNeedsTheProxyAddressAndAUnicastOne() {
        assertThat(refused(List.of("ebpf", "envoy"), NodeFlags.NONE, Map.of()))
                .singleElement()
                .asString()
                .contains("--proxy-address");
        var wildcard = new NodeFlags("0.0.0.0", 15001, null, null, null, null, null, null);
        assertThat(refused(List.of("ebpf", "envoy"), wildcard, Map.of()))
                .singleElement()
                .asString()
                .contains("unicast");
        var notAnIp = new NodeFlags("node-a.local", 15001, null, null, null, null, null, null);
        assertThat(refused(List.of("ebpf"), notAnIp, Map.of()))
                .singleElement()
                .asString()
                .contains("is not an IP address");
        // Envoy alone (proxyless gRPC, or steering done elsewhere) needs no address.
        assertThat(ready(List.of("envoy"), NodeFlags.NONE, Map.of()).options().properties())
                .doesNotContainKey("ebpf.proxyAddress");
    }

    @Test
    void halfAProxyIsRefused() {
        assertThat(refused(List.of("ebpf"), new NodeFlags(null, 15001, null, null, null, null, null, null), Map.of()))
                .singleElement()
                .asString()
                .contains("without ebpf.proxyAddress");
        assertThat(refused(List.of("ebpf"), NodeFlags.NONE, Map.of("ebpf.proxyAddress", "10.0.0.1")))
                .singleElement()
                .asString()
                .contains("without ebpf.proxyPort");
    }

    @Test
    void theProxyCgroupMustLieUnderTheCgroupRoot() {
        var outside = new NodeFlags(
                "10.0.0.5",
                15001,
                "/sys/fs/cgroup/system.slice/envoy.service",
                null,
                "/sys/fs/cgroup/unified/nodes",
                null,
                null,
                null);
        assertThat(refused(List.of("ebpf", "envoy"), outside, Map.of()))
                .singleElement()
                .asString()
                .contains("ebpf.proxyCgroup=/sys/fs/cgroup/system.slice/envoy.service")
                .contains("ebpf.cgroupRoot=/sys/fs/cgroup/unified/nodes");
        var inside = new NodeFlags(
                "10.0.0.5",
                15001,
                "/sys/fs/cgroup/unified/nodes/envoy",
                null,
                "/sys/fs/cgroup/unified/nodes",
                null,
                null,
                null);
        assertThat(ready(List.of("ebpf", "envoy"), inside, Map.of()).options().properties())
                .containsEntry("ebpf.proxyCgroup", "/sys/fs/cgroup/unified/nodes/envoy");
        var relative = new NodeFlags(null, null, null, "pins", null, null, null, null);
        assertThat(refused(List.of("ebpf"), relative, Map.of()))
                .singleElement()
                .asString()
                .contains("ebpf.pinRoot=pins")
                .contains("absolute");
    }

    @Test
    void eachBackendsOwnParserChecksItsSettings() {
        var badInterface = new NodeFlags(null, null, null, null, null, "this-name-is-far-too-long", null, null);
        assertThat(refused(List.of("wireguard"), badInterface, Map.of()))
                .singleElement()
                .asString()
                .startsWith("wireguard: ")
                .contains("wireguard.interface");
        assertThat(refused(List.of("ebpf"), NodeFlags.NONE, Map.of("ebpf.redirect", "maybe")))
                .singleElement()
                .asString()
                .startsWith("ebpf: ")
                .contains("ebpf.redirect");
        assertThat(refused(List.of("envoy"), NodeFlags.NONE, Map.of("envoy.outboundPort", "0")))
                .singleElement()
                .asString()
                .contains("envoy.outboundPort=0");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        var flags = new NodeFlags("0.0.0.0", null, null, null, null, "way-too-long-interface", null, null);
        assertThat(refused(
                        List.of("ebpf", "envoy", "wireguard"),
                        flags,
                        Map.of("ebpf.proxyPort", "1", "envoy.outboundPort", "2")))
                .hasSize(3);
    }

    @Test
    void backendListsThatMakeNoNodeAreRefused() {
        assertThat(refused(List.of("ebpf", "ebpf"), NodeFlags.NONE, Map.of()))
                .singleElement()
                .asString()
                .contains("twice");
        assertThat(refused(List.of("sim", "ebpf"), NodeFlags.NONE, Map.of()))
                .singleElement()
                .asString()
                .contains("sim alone");
        assertThat(refused(List.of(" "), NodeFlags.NONE, Map.of()))
                .singleElement()
                .asString()
                .contains("no backend");
    }

    @Test
    void settingsForABackendNotComposedAreNotedNotFatal() {
        Assembly.Ready r = ready(List.of("sim"), PROXY, Map.of("wireguard.mtu", "1400", "sim.seed", "7"));
        assertThat(r.notes()).singleElement().asString().contains("wireguard.mtu is ignored");
        assertThat(r.options().properties()).containsEntry("sim.seed", "7");
    }

    private static Assembly.Ready ready(List<String> backends, NodeFlags flags, Map<String, String> options) {
        Assembly a = NodeDataplaneSettings.assemble(backends, "node-a", flags, options);
        assertThat(a).isInstanceOf(Assembly.Ready.class);
        return (Assembly.Ready) a;
    }

    private static List<String> refused(List<String> backends, NodeFlags flags, Map<String, String> options) {
        Assembly a = NodeDataplaneSettings.assemble(backends, "node-a", flags, options);
        assertThat(a).isInstanceOf(Assembly.Refused.class);
        return ((Assembly.Refused) a).problems();
    }
}
