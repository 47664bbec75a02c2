package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/helm/nodemesh read as files: Chart.yaml and values.yaml parse, every {@code .Values} path a template uses is
 * defined, and the defaults agree with deploy/daemonset.yaml. {@link HelmTemplateTest} renders it with helm.
 */
class HelmChartTest {
    static final Path CHART = Path.of("../deploy/helm/nodemesh");
    static final Pattern VALUE = Pattern.compile("\\.Values((?:\\.[A-Za-z][A-Za-z0-9]*)+)");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void chartAndValuesParseAndTemplatesUseOnlyDefinedValues() throws Exception {
        JsonNode chart = YAML.readTree(CHART.resolve("Chart.yaml").toFile());
        assertThat(chart.get("apiVersion").asText()).isEqualTo("v2");
        assertThat(chart.get("name").asText()).isEqualTo("nodemesh");
        JsonNode values = YAML.readTree(CHART.resolve("values.yaml").toFile());
        List<String> undefined = new ArrayList<>();
        List<String> used = new ArrayList<>();
        try (Stream<Path> templates = Files.list(CHART.resolve("templates"))) {
            for (Path t : templates.toList()) {
                Matcher m = VALUE.matcher(Files.readString(t));
                while (m.find()) {
                    String pointer = m.group(1).replace('.', '/');
                    used.add(pointer);
                    if (values.at(pointer).isMissingNode()) undefined.add(t.getFileName() + ": .Values" + m.group(1));
                }
            }
        }
        assertThat(undefined).isEmpty();
        assertThat(used).contains("/backends", "/encryption", "/ca/secretName", "/envoy/image");
    }

    @Test
    void theDefaultsAreTheDaemonSetsSettings() throws Exception {
        JsonNode values = YAML.readTree(CHART.resolve("values.yaml").toFile());
        JsonNode pod = AgentDaemonSetTest.pod();
        JsonNode envoy = AgentDaemonSetTest.named(pod.get("containers"), "envoy");
        JsonNode agent = AgentDaemonSetTest.named(pod.get("containers"), "agent");
        assertThat(values.get("image").asText()).isEqualTo(agent.get("image").asText());
        assertThat(values.at("/envoy/image").asText())
                .isEqualTo(envoy.get("image").asText());
        assertThat(values.get("backends").asText())
                .isEqualTo(AgentDaemonSetTest.named(agent.get("env"), "AGENT_BACKEND")
                        .get("value")
                        .asText());
        assertThat(AgentDaemonSetTest.expandedArgs(agent))
                .contains(
                        "--option=envoy.xdsPort=" + values.at("/envoy/xdsPort").asInt());
        assertThat(AgentDaemonSetTest.named(pod.get("volumes"), "mesh-ca")
                        .at("/secret/secretName")
                        .asText())
                .isEqualTo(values.at("/ca/secretName").asText());
        assertThat(values.get("encryption").asText()).isIn("strict", "off");
    }
}
