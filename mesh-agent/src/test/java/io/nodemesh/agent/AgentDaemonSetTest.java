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
        JsonNode container =
                new ObjectMapper(new YAMLFactory()).readTree(MANIFEST.toFile()).at("/spec/template/spec/containers/0");
        Map<String, String> env =
                new HashMap<>(Map.of("NODE_NAME", "node-a", "NODE_IP", "192.168.0.1")); // the kubelet's fieldRefs
        container.get("env").forEach(e -> {
            if (e.has("value")) env.put(e.get("name").asText(), e.get("value").asText());
        });
        List<String> args = new java.util.ArrayList<>();
        container.get("args").forEach(a -> args.add(expand(a.asText(), env)));

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

    /** $(VAR) as the kubelet expands it in args: a defined variable is replaced, an undefined one left as it is. */
    static String expand(String arg, Map<String, String> env) {
        Matcher m = VAR.matcher(arg);
        StringBuilder b = new StringBuilder();
        while (m.find()) m.appendReplacement(b, Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group())));
        m.appendTail(b);
        return b.toString();
    }
}
