package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.nodemesh.agent.NodeDataplaneSettings.Assembly;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * deploy/helm/nodemesh rendered by real {@code helm template} (helm's Go code as a native library, through helm-java):
 * the defaults render exactly deploy/daemonset.yaml's DaemonSet, and each value changes what it says it does.
 */
class HelmTemplateTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theDefaultsRenderTheCheckedInDaemonSet() throws IOException {
        List<JsonNode> docs = render(t -> t);
        assertThat(docs).extracting(d -> d.path("kind").asText()).containsExactlyInAnyOrder("DaemonSet", "MeshConfig");
        JsonNode rendered = only(docs, "DaemonSet");
        JsonNode checkedIn = YAML.readTree(AgentDaemonSetTest.MANIFEST.toFile());
        assertThat(withoutNamespace(rendered)).isEqualTo(withoutNamespace(checkedIn));
        assertThat(rendered.at("/metadata/namespace").asText()).isEqualTo("nodemesh-system");
        assertThat(only(docs, "MeshConfig").at("/spec/encryption"))
                .isEqualTo(YAML.readTree("{mode: wireguard, strict: true}"));
    }

    @Test
    void valuesChooseBackendsEncryptionAndTheCaSecret() throws IOException {
        List<JsonNode> docs = render(t ->
                t.set("backends", "ebpf,wireguard").set("encryption", "off").set("ca.secretName", "team-ca"));
        JsonNode pod = only(docs, "DaemonSet").at("/spec/template/spec");
        assertThat(names(pod.get("containers"))).containsExactly("agent");
        assertThat(pod.path("initContainers").isMissingNode())
                .as("no Envoy bootstrap without envoy")
                .isTrue();
        JsonNode agent = AgentDaemonSetTest.named(pod.get("containers"), "agent");
        assertThat(AgentDaemonSetTest.named(agent.get("env"), "AGENT_BACKEND")
                        .get("value")
                        .asText())
                .isEqualTo("ebpf,wireguard");
        assertThat(AgentDaemonSetTest.named(pod.get("volumes"), "mesh-ca")
                        .at("/secret/secretName")
                        .asText())
                .isEqualTo("team-ca");
        // What the rendered agent would run: its flags make a consistent set of backends.
        AgentCommand command = new AgentCommand();
        new CommandLine(command)
                .parseArgs(AgentDaemonSetTest.expandedArgs(agent).toArray(String[]::new));
        Assembly assembly = command.dataplaneSettings("node-a");
        assertThat(assembly).as("%s", assembly).isInstanceOf(Assembly.Ready.class);
        assertThat(((Assembly.Ready) assembly).backends()).containsExactly("ebpf", "wireguard");
        assertThat(only(docs, "MeshConfig").at("/spec/encryption")).isEqualTo(YAML.readTree("{mode: none}"));
        assertThat(only(docs, "MeshConfig").at("/spec/excludedNamespaces"))
                .isEqualTo(YAML.readTree("[kube-system, nodemesh-system]"));
    }

    private static List<JsonNode> render(UnaryOperator<TemplateCommand> values) throws IOException {
        String out = values.apply(new Helm(HelmChartTest.CHART)
                        .template()
                        .withName("nodemesh")
                        .withNamespace("nodemesh-system"))
                .call();
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.createParser(out)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isEmpty()) docs.add(doc);
            }
        }
        return docs;
    }

    private static JsonNode only(List<JsonNode> docs, String kind) {
        List<JsonNode> of =
                docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        assertThat(of).as("rendered %s documents", kind).hasSize(1);
        return of.getFirst();
    }

    private static JsonNode withoutNamespace(JsonNode doc) {
        ObjectNode copy = doc.deepCopy();
        ((ObjectNode) copy.get("metadata")).remove("namespace");
        return copy;
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(n -> names.add(n.path("name").asText()));
        return names;
    }
}
