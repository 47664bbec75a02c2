package io.nodemesh.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshStateFilesTest {
    static final String GOOD = """
            nodes:
              - name: node-a
                addresses: [192.168.0.1]
                podCidrs: [10.1.0.0/24]
              - name: node-b
                addresses: [192.168.0.2]
                podCidrs: [10.2.0.0/24]
            workloads:
              - namespace: shop
                name: web-1
                node: node-a
                ips: [10.1.0.5]
                identity: spiffe://cluster.local/ns/shop/sa/web
                labels: {app: web}
              - namespace: shop
                name: cart-1
                node: node-b
                ips: [10.2.0.5]
                identity: spiffe://cluster.local/ns/shop/sa/cart
                labels: {app: cart}
                placement: {netns: /var/run/netns/cart-1}
            services:
              - namespace: shop
                name: web
                vips: [10.96.0.10]
                ports:
                  - {name: http, port: 80, targetPort: 8080}
                selector: {app: web}
                loadBalancing: Round_Robin
                affinity: {timeout: PT30S}
                layer: l7
              - namespace: shop
                name: cart
                vips: [10.96.0.11]
                ports: [{port: 53, protocol: udp}]
                endpoints:
                  - {ip: 10.2.0.5, workload: shop/cart-1, state: TERMINATING}
            policies:
              - namespace: shop
                name: web-from-cart
                action: allow
                sources: [spiffe://cluster.local/ns/shop/sa/cart, host]
                services: [shop/web]
                ports: [8080]
            routes:
              - namespace: shop
                name: web
                service: shop/web
                rules:
                  - matches: [{path: {kind: prefix, value: /api}, method: GET}]
                    backends: [{service: shop/web, weight: 1}]
                    timeout: 2m
                    retries: {attempts: 2, perTryTimeout: 250ms, retryOn: [5xx]}
            encryption: {mode: wireguard, enforcement: strict}
            """;

    @Test
    void readsEveryKindOfObject() throws Exception {
        MeshState s = MeshStateFiles.parse("good.yaml", GOOD, StateFormat.YAML);
        assertThat(s.nodes()).hasSize(2);
        assertThat(s.workloads().get(1).placement().netns()).isEqualTo("/var/run/netns/cart-1");
        assertThat(s.services().get(0).loadBalancing()).isEqualTo(LoadBalancing.ROUND_ROBIN);
        assertThat(s.services().get(0).affinity().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.services().get(0).endpoints()).isEmpty(); // absent list
        assertThat(s.services().get(1).ports().getFirst().protocol()).isEqualTo(Protocol.UDP);
        assertThat(s.services().get(1).ports().getFirst().targetPort()).isEqualTo(53);
        assertThat(s.services().get(1).endpoints().getFirst().state()).isEqualTo(EndpointState.TERMINATING);
        var rule = s.routes().getFirst().rules().getFirst();
        assertThat(rule.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(rule.retries().perTryTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(rule.matches().getFirst().path()).isEqualTo(PathMatch.prefix("/api"));
        assertThat(s.encryption())
                .isEqualTo(new EncryptionSpec(
                        EncryptionSpec.Mode.WIREGUARD, EncryptionSpec.Enforcement.STRICT, "cluster.local"));
        assertThat(s.validate()).isEmpty();
    }

    @Test
    void writesFriendlyYamlThatReadsBackEqual() throws Exception {
        MeshState s = MeshStateFiles.parse("good.yaml", GOOD, StateFormat.YAML);
        String yaml = MeshStateFiles.write(s, StateFormat.YAML);
        assertThat(yaml)
                .contains(
                        "timeout: 30s",
                        "timeout: 2m",
                        "perTryTimeout: 250ms",
                        "loadBalancing: round_robin",
                        "mode: wireguard")
                .doesNotContain("PT", "layer: l4", "enforcement: permissive", "endpoints: []");
        assertThat(MeshStateFiles.parse("again.yaml", yaml, StateFormat.YAML)).isEqualTo(s);
        String json = MeshStateFiles.write(s, StateFormat.JSON);
        assertThat(MeshStateFiles.parse("again.json", json, StateFormat.JSON)).isEqualTo(s);
    }

    @Test
    void writesAndReadsFilesByExtension(@TempDir Path dir) throws Exception {
        MeshState s = MeshStateFiles.parse("good.yaml", GOOD, StateFormat.YAML);
        MeshStateFiles.write(s, dir.resolve("mesh.json"));
        MeshStateFiles.write(s, dir.resolve("mesh.yml"));
        assertThat(Files.readString(dir.resolve("mesh.json"))).startsWith("{");
        assertThat(MeshStateFiles.read(dir.resolve("mesh.json"))).isEqualTo(s);
        assertThat(MeshStateFiles.readValid(dir.resolve("mesh.yml"))).isEqualTo(s);
        // No telling extension: the content decides.
        Files.copy(dir.resolve("mesh.json"), dir.resolve("state"));
        assertThat(MeshStateFiles.read(dir.resolve("state"))).isEqualTo(s);
    }

    @Test
    void unknownFieldNamesFileLinePathAndTheKnownFields() {
        String yaml = GOOD.replace("ports: [{port: 53, protocol: udp}]", "ports: [{port: 53, protocl: udp}]");
        StateFileProblem p = parseProblem(yaml);
        assertThat(p.file()).isEqualTo("mesh.yaml");
        assertThat(p.line()).isEqualTo(lineOf(yaml, "protocl"));
        assertThat(p.path()).isEqualTo("services[1].ports[0].protocl");
        assertThat(p.reason()).startsWith("unknown field 'protocl'").contains("protocol", "targetPort");
        assertThat(p.toString())
                .startsWith(
                        "mesh.yaml:" + p.line() + ":" + p.column() + ": services[1].ports[0].protocl: unknown field");
    }

    @Test
    void mappingErrorsInBlockYamlPointAtTheFieldNotPastIt() {
        String yaml = GOOD.replace("    addresses: [192.168.0.2]\n", "    adresses:\n      - 192.168.0.2\n");
        StateFileProblem p = parseProblem(yaml);
        assertThat(p.path()).isEqualTo("nodes[1].adresses");
        assertThat(p.line()).isEqualTo(lineOf(yaml, "adresses:"));
        assertThat(p.column()).isEqualTo(5);
        StateFileProblem type = parseProblem(GOOD.replace("    node: node-b\n", "    node:\n      name: node-b\n"));
        assertThat(type.path()).isEqualTo("workloads[1].node");
        assertThat(type.reason()).isEqualTo("expected a string, found an object");
    }

    @Test
    void duplicateKeysAreRejected() {
        String yaml = GOOD.replace("    name: web-1\n", "    name: web-1\n    name: web-2\n");
        StateFileProblem p = parseProblem(yaml);
        assertThat(p.reason()).isEqualTo("duplicate key 'name'");
        assertThat(p.line()).isEqualTo(lineOf(yaml, "name: web-2"));
    }

    @Test
    void duplicateKeysInMapsAreRejected() {
        StateFileProblem p = parseProblem(GOOD.replace("labels: {app: web}", "labels: {app: web, app: db}"));
        assertThat(p.reason()).isEqualTo("duplicate key 'app'");
    }

    @Test
    void wrongTypeNamesThePath() {
        StateFileProblem p = parseProblem(GOOD.replace("port: 80,", "port: eighty,"));
        assertThat(p.path()).isEqualTo("services[0].ports[0].port");
        assertThat(p.reason()).isEqualTo("'eighty' is not a whole number");
    }

    @Test
    void objectWhereAListBelongs() {
        StateFileProblem p = parseProblem(GOOD.replace("ips: [10.1.0.5]", "ips: {a: 10.1.0.5}"));
        assertThat(p.path()).isEqualTo("workloads[0].ips");
        assertThat(p.reason()).isEqualTo("expected a list, found an object");
    }

    @Test
    void enumsListTheirValues() {
        StateFileProblem p = parseProblem(GOOD.replace("loadBalancing: Round_Robin", "loadBalancing: fastest"));
        assertThat(p.path()).isEqualTo("services[0].loadBalancing");
        assertThat(p.reason()).isEqualTo("'fastest' is not one of: random, round_robin, maglev");
    }

    @Test
    void badDurationsSayWhatIsAccepted() {
        StateFileProblem p = parseProblem(GOOD.replace("timeout: 2m", "timeout: 2 minutes"));
        assertThat(p.path()).isEqualTo("routes[0].rules[0].timeout");
        assertThat(p.reason()).contains("'2 minutes' is not a duration", "30s");
        StateFileProblem unitless = parseProblem(GOOD.replace("timeout: 2m", "timeout: 120"));
        assertThat(unitless.reason()).isEqualTo("120 has no unit: write e.g. 120s or 120ms");
    }

    @Test
    void nullsInListsAreErrors() {
        StateFileProblem inList = parseProblem(GOOD.replace("ips: [10.1.0.5]", "ips: [10.1.0.5, ~]"));
        assertThat(inList.path()).isEqualTo("workloads[0].ips[1]");
        assertThat(inList.reason()).isEqualTo("must not be null");
        StateFileProblem inMap = parseProblem(GOOD.replace("labels: {app: web}", "labels: {app: null}"));
        assertThat(inMap.path()).isEqualTo("workloads[0].labels.app");
        assertThat(inMap.reason()).isEqualTo("must not be null");
    }

    @Test
    void malformedYamlNamesTheLine() {
        String yaml = GOOD.replace("  - namespace: shop\n    name: web\n", "  - namespace: shop\n    name: [web\n");
        StateFileProblem p = parseProblem(yaml);
        assertThat(p.line()).isGreaterThanOrEqualTo(lineOf(yaml, "name: [web"));
        assertThat(p.reason()).isNotBlank().doesNotContain("\n");
    }

    @Test
    void yamlSyntaxErrorsSayWhatWasExpectedAndWhere() {
        StateFileProblem p = parseProblem("nodes:\n  - name: a\n   addresses: [\n");
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.reason())
                .isEqualTo(
                        "expected <block end>, but found '<block mapping start>' (while parsing a block collection that starts at line 2)");
        StateFileProblem tab = parseProblem("nodes:\n\t- name: a\n");
        assertThat(tab.line()).isEqualTo(2);
        assertThat(tab.reason()).contains("Do not use \\t(TAB) for indentation");
    }

    @Test
    void fractionsAreNotWholeNumbers() {
        StateFileProblem p = parseProblem(GOOD.replace("port: 80,", "port: 80.5,"));
        assertThat(p.path()).isEqualTo("services[0].ports[0].port");
        assertThat(p.reason()).isEqualTo("'80.5' is not a whole number");
    }

    @Test
    void aListIsNotAMesh() {
        assertThat(parseProblem("- a\n- b\n").reason())
                .startsWith("expected a mesh state (an object with nodes, workloads");
    }

    @Test
    void malformedJsonNamesLineAndColumn() {
        StateFileException e = catchParse("{\"nodes\": [\n  {\"name\": \"a\",}\n]}", StateFormat.JSON);
        StateFileProblem p = e.problems().getFirst();
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.column()).isPositive();
        StateFileProblem unclosed =
                catchParse("{\"nodes\": [}", StateFormat.JSON).problems().getFirst();
        assertThat(unclosed.reason())
                .isEqualTo("Unexpected close marker '}': expected ']' (for Array starting at line 1, column 11)");
    }

    @Test
    void unknownTopLevelSection() {
        StateFileProblem p = parseProblem(GOOD + "gateways: []\n");
        assertThat(p.path()).isEqualTo("gateways");
        assertThat(p.reason()).contains("unknown field 'gateways'", "encryption", "workloads");
    }

    @Test
    void emptyDocumentsAndSecondDocumentsAreRejected() {
        assertThat(parseProblem("# nothing here\n").reason()).contains("empty");
        assertThat(parseProblem("").reason()).contains("empty");
        assertThat(parseProblem("~\n").reason()).contains("empty");
        assertThat(catchParse(GOOD + "---\nnodes: []\n", StateFormat.YAML).problems())
                .hasSize(1);
    }

    @Test
    void filesBeyondSnakeYamlsDefaultThreeMegabytesAreRead() throws Exception {
        // A large mesh's file can pass SnakeYAML's default limit of 3 Mi code points.
        String big = "x".repeat(3_300_000);
        String yaml = GOOD.replace("labels: {app: web}", "labels: {app: web, note: " + big + "}");
        assertThat(MeshStateFiles.parse("big.yaml", yaml, StateFormat.YAML)
                        .workloads()
                        .getFirst()
                        .labels()
                        .get("note"))
                .hasSize(big.length());
    }

    @Test
    void anEmptyMeshIsValid() throws Exception {
        assertThat(MeshStateFiles.parse("m.yaml", "{}", StateFormat.YAML)).isEqualTo(MeshState.EMPTY);
    }

    @Test
    void checkReportsEveryViolationWithItsLine() {
        String yaml = GOOD.replace("port: 80,", "port: 0,")
                .replace("identity: spiffe://cluster.local/ns/shop/sa/cart", "identity: cart")
                .replace("service: shop/web\n", "service: shop/nope\n");
        CheckedState checked = MeshStateFiles.check("bad.yaml", yaml, StateFormat.YAML);
        assertThat(checked.isValid()).isFalse();
        List<StateFileProblem> problems = ((CheckedState.Invalid) checked).problems();
        assertThat(problems)
                .extracting(StateFileProblem::path)
                .contains(
                        "services[shop/web].ports[0].port",
                        "workloads[shop/cart-1].identity",
                        "routes[shop/web].service",
                        "policies[shop/web-from-cart].sources[0]");
        StateFileProblem port = problems.stream()
                .filter(p -> p.path().equals("services[shop/web].ports[0].port"))
                .findFirst()
                .orElseThrow();
        assertThat(port.line()).isEqualTo(lineOf(yaml, "port: 0,"));
        assertThat(port.toString())
                .isEqualTo("bad.yaml:" + port.line() + ":" + port.column()
                        + ": services[shop/web].ports[0].port: 0 is outside 1..65535");
        StateFileProblem route = problems.stream()
                .filter(p -> p.path().equals("routes[shop/web].service"))
                .findFirst()
                .orElseThrow();
        assertThat(route.line()).isEqualTo(lineOf(yaml, "service: shop/nope"));
    }

    @Test
    void violationOfAnAbsentFieldPointsAtItsObject() {
        String yaml = GOOD.replace("    ips: [10.1.0.5]\n", "");
        CheckedState.Invalid checked = (CheckedState.Invalid) MeshStateFiles.check("m.yaml", yaml, StateFormat.YAML);
        StateFileProblem ips = checked.problems().stream()
                .filter(p -> p.path().equals("workloads[shop/web-1].ips"))
                .findFirst()
                .orElseThrow();
        assertThat(ips.line()).isEqualTo(lineOf(yaml, "- namespace: shop\n    name: web-1"));
    }

    @Test
    void violationsOfADuplicatePointAtTheLaterCopy() {
        String yaml = GOOD.replace("name: cart-1\n    node: node-b", "name: web-1\n    node: node-z");
        CheckedState.Invalid checked = (CheckedState.Invalid) MeshStateFiles.check("m.yaml", yaml, StateFormat.YAML);
        assertThat(checked.problems())
                .filteredOn(p -> p.path().startsWith("workloads[shop/web-1]"))
                .extracting(StateFileProblem::line)
                .containsOnly(lineOf(yaml, "name: web-1\n    node: node-z") - 1, lineOf(yaml, "node: node-z"));
    }

    @Test
    void readValidThrowsWithAllProblems(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, GOOD.replace("port: 80,", "port: 0,").replace("targetPort: 8080", "targetPort: 70000"));
        assertThatThrownBy(() -> MeshStateFiles.readValid(file)).isInstanceOfSatisfying(StateFileException.class, e -> {
            assertThat(e.problems()).hasSize(2);
            assertThat(e.getMessage()).startsWith("2 problems:").contains(file + ":", "70000 is outside 1..65535");
        });
    }

    private static StateFileProblem parseProblem(String yaml) {
        StateFileException e = catchParse(yaml, StateFormat.YAML);
        assertThat(e.problems()).hasSize(1);
        return e.problems().getFirst();
    }

    private static StateFileException catchParse(String content, StateFormat format) {
        try {
            MeshState s = MeshStateFiles.parse("mesh.yaml", content, format);
            throw new AssertionError("parsed, but should not have: " + s);
        } catch (StateFileException e) {
            return e;
        }
    }

    /** 1-based line of the first occurrence of {@code text}. */
    private static int lineOf(String document, String text) {
        int at = document.indexOf(text);
        assertThat(at).as("fixture contains %s", text).isNotNegative();
        return (int) document.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }
}
