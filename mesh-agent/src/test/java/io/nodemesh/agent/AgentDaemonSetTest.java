package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nodemesh.agent.NodeDataplaneSettings.Assembly;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code deploy/daemonset.yaml} starts the agent with a command line the agent accepts, and its backends come out
 * consistent: the manifest is parsed, its {@code $(VAR)} references expanded as the kubelet would, and the arguments
 * run through the agent's own option parsing and consistency rules.
 */
class AgentDaemonSetTest {
    static final Path MANIFEST = Path.of("../deploy/daemonset.yaml");
    static final Pattern VAR = Pattern.compile("\\$\\(([A-Z_]+)\\)");

    @Test
    void theDaemonSetsArgumentsMakeAConsistentNode() throws Exception {
        JsonNode container = named(pod().get("containers"), "agent");
        List<String> args = expandedArgs(container);

        AgentCommand agent = new AgentCommand();
        new CommandLine(agent).parseArgs(args.toArray(String[]::new));
        Assembly assembly = agent.dataplaneSettings("node-a");
        assertThat(assembly).as("%s", assembly).isInstanceOf(Assembly.Ready.class);
        Assembly.Ready ready = (Assembly.Ready) assembly;
        assertThat(ready.backends()).containsExactly("ebpf", "envoy", "wireguard");
        assertThat(ready.options().properties())
                .containsEntry("ebpf.proxyAddress", "192.168.0.1")
                .containsEntry("ebpf.proxyPort", "15001")
                .containsEntry("envoy.outboundPort", "15001")
                .containsEntry("ebpf.pinRoot", "/sys/fs/bpf/nodemesh")
                .containsEntry("wireguard.keyFile", "/var/lib/nodemesh/wireguard/nm-wg0.key")
                .containsEntry("envoy.caDir", "/etc/nodemesh/ca");
        assertThat(ready.notes()).isEmpty();
        // With host networking, only metrics and probes face the network; /status and /flows stay on the node.
        assertThat(agent.listen).startsWith("127.0.0.1:");
        assertThat(agent.metricsListen).isEqualTo("0.0.0.0:9465");
        assertThat(container.at("/livenessProbe/httpGet/port").asInt()).isEqualTo(9465);
        // The key file's directory is a host path, so the node keeps its WireGuard identity across restarts.
        assertThat(container.get("volumeMounts").findValuesAsText("mountPath"))
                .contains("/var/lib/nodemesh", "/sys/fs/bpf", "/etc/nodemesh/ca");
        // Every node loads the same mesh root from one Secret, owner-only as the CA loader demands.
        JsonNode volumes =
                new ObjectMapper(new YAMLFactory()).readTree(MANIFEST.toFile()).at("/spec/template/spec/volumes");
        JsonNode ca = java.util.stream.StreamSupport.stream(volumes.spliterator(), false)
                .filter(v -> v.path("name").asText().equals("mesh-ca"))
                .findFirst()
                .orElseThrow();
        assertThat(ca.at("/secret/secretName").asText()).isEqualTo("nodemesh-ca");
        assertThat(ca.at("/secret/defaultMode").asInt()).isEqualTo(0400);
    }

    @Test
    void theNodeEnvoyStartsFromTheBootstrapTheInitContainerWritesForTheAgentsXdsPort() throws Exception {
        JsonNode pod = pod();
        JsonNode init = named(pod.get("initContainers"), "envoy-bootstrap");
        JsonNode envoy = named(pod.get("containers"), "envoy");
        JsonNode agentContainer = named(pod.get("containers"), "agent");

        // The init container runs nodemesh bootstrap with its arguments, into the shared emptyDir.
        List<String> command = new java.util.ArrayList<>();
        init.get("command").forEach(c -> command.add(c.asText()));
        assertThat(command).last().isEqualTo(BootstrapMain.class.getName());
        Path out = java.nio.file.Files.createTempDirectory("bootstrap").resolve("bootstrap.json");
        List<String> initArgs = new java.util.ArrayList<>(expandedArgs(init));
        assertThat(initArgs).contains("--output-file=/etc/envoy/bootstrap.json");
        initArgs.replaceAll(a -> a.startsWith("--output-file=") ? "--output-file=" + out : a);
        BootstrapCommandTest.Output written = BootstrapCommandTest.bootstrap(initArgs.toArray(String[]::new));
        assertThat(written.exit()).as(written.err()).isZero();
        var bootstrap = BootstrapCommandTest.parse(java.nio.file.Files.readString(out));
        assertThat(bootstrap.getNode().getId()).isEqualTo("node-a");
        var xds = bootstrap
                .getStaticResources()
                .getClusters(0)
                .getLoadAssignment()
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress();
        AgentCommand agent = new AgentCommand();
        new CommandLine(agent).parseArgs(expandedArgs(agentContainer).toArray(String[]::new));
        Assembly.Ready ready = (Assembly.Ready) agent.dataplaneSettings("node-a");
        assertThat(String.valueOf(xds.getPortValue()))
                .isEqualTo(ready.options().properties().get("envoy.xdsPort"));
        assertThat(xds.getAddress()).isEqualTo("127.0.0.1"); // host network: the agent's xDS listens on loopback
        assertThat(ready.options().properties()).doesNotContainKey("envoy.xdsHost");

        // Envoy reads that file from the same volume, an emptyDir; its image is pinned by tag.
        List<String> envoyArgs = new java.util.ArrayList<>();
        envoy.get("args").forEach(a -> envoyArgs.add(a.asText()));
        assertThat(envoyArgs).containsSubsequence("-c", "/etc/envoy/bootstrap.json");
        assertThat(envoy.get("image").asText()).matches("envoyproxy/envoy:v\\d+\\.\\d+\\.\\d+");
        assertThat(mountOf(init, "envoy-bootstrap")).isEqualTo("/etc/envoy");
        assertThat(mountOf(envoy, "envoy-bootstrap")).isEqualTo("/etc/envoy");
        assertThat(named(pod.get("volumes"), "envoy-bootstrap").has("emptyDir")).isTrue();

        // With host networking every port is the node's: only metrics and probes are declared, and admin is local.
        List<Integer> ports = new java.util.ArrayList<>();
        for (JsonNode c : List.of(init, envoy, agentContainer))
            c.path("ports").forEach(p -> ports.add(p.get("containerPort").asInt()));
        assertThat(ports).containsExactly(9465);
        assertThat(bootstrap.getAdmin().getAddress().getSocketAddress().getAddress())
                .isEqualTo("127.0.0.1");
    }

    @Test
    void theImageHasWhatTheAgentAndItsBootstrapNeed() throws Exception {
        String dockerfile = java.nio.file.Files.readString(Path.of("../deploy/Dockerfile"));
        // Strict mode installs an nft table; wireguard-go is the WireGuard device (no kernel module needed).
        assertThat(dockerfile).contains(" nftables").contains(" wireguard-go").contains(" libbpf1");
        assertThat(dockerfile).contains("/opt/nodemesh/lib/"); // the init container's class path
    }

    static JsonNode pod() throws java.io.IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(MANIFEST.toFile()).at("/spec/template/spec");
    }

    static JsonNode named(JsonNode list, String name) {
        return java.util.stream.StreamSupport.stream(list.spliterator(), false)
                .filter(n -> n.path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + list));
    }

    static String mountOf(JsonNode container, String volume) {
        return named(container.get("volumeMounts"), volume).get("mountPath").asText();
    }

    /** A container's args with the kubelet's $(VAR) expansion from its env and the fieldRefs of node-a. */
    static List<String> expandedArgs(JsonNode container) {
        Map<String, String> env =
                new HashMap<>(Map.of("NODE_NAME", "node-a", "NODE_IP", "192.168.0.1")); // the kubelet's fieldRefs
        container.path("env").forEach(e -> {
            if (e.has("value")) env.put(e.get("name").asText(), e.get("value").asText());
        });
        List<String> args = new java.util.ArrayList<>();
        container.get("args").forEach(a -> args.add(expand(a.asText(), env)));
        return args;
    }

    /** $(VAR) as the kubelet expands it in args: a defined variable is replaced, an undefined one left as it is. */
    static String expand(String arg, Map<String, String> env) {
        Matcher m = VAR.matcher(arg);
        StringBuilder b = new StringBuilder();
        while (m.find()) m.appendReplacement(b, Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group())));
        m.appendTail(b);
        return b.toString();
    }
}
