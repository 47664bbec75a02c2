package io.nodemesh.examples.cli;

import static io.nodemesh.examples.cli.CliRun.nodemesh;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nodemesh validate} on the example state files and on broken ones. */
class ValidateCommandTest {
    static final String MESH = Path.of("states/mesh.yaml").toString();
    static final String BAD = Path.of("states/bad.yaml").toString();

    @Test
    void aValidFileGetsASummary() {
        CliRun r = nodemesh("validate", MESH);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .isEqualTo("OK " + MESH
                        + ": 2 nodes, 4 workloads, 3 services, 2 policies, 2 routes, encryption wireguard (strict)"
                        + System.lineSeparator());
    }

    @Test
    void badYamlGetsEveryProblemAndExitCode2() throws Exception {
        CliRun r = nodemesh("validate", BAD);
        assertThat(r.exitCode()).isEqualTo(2);
        String bad = Files.readString(Path.of(BAD));
        // Each problem names file, line and column, path and reason; the lines are where the mistakes are.
        assertThat(r.out())
                .contains(
                        BAD + ":" + lineOf(bad, "192.168.0.300") + ":",
                        "nodes[node-b].addresses[0]: '192.168.0.300' is not an IPv4 or IPv6 address",
                        "nodes[node-b].podCidrs[0]: 10.1.0.128/25 overlaps the pod CIDR of node node-a",
                        "nodes[node-b].wireguardPublicKey: not a WireGuard key",
                        "workloads[shop/web-1]: duplicate workload shop/web-1",
                        "workloads[shop/web-1].node: unknown node 'node-c'",
                        "workloads[shop/web-1].identity: 'web' is not a SPIFFE id",
                        BAD + ":" + lineOf(bad, "ports: [{port: 0") + ":",
                        "services[shop/web].ports[0].port: 0 is outside 1..65535",
                        "services[shop/api].vips[0]: 10.96.0.10 is already a VIP of service shop/web",
                        "services[shop/api].ports[0].targetPort: 70000 is outside 1..65535",
                        "policies[shop/allow-web].sources[0]: unknown identity 'spiffe://cluster.local/ns/shop/sa/frontend'",
                        "routes[shop/web].rules[0].matches[0].path.value: invalid regular expression",
                        "routes[shop/web].rules[0].backends[1].service: unknown service 'shop/search'",
                        "routes[shop/web].rules[0].backends: weights add up to 0");
        assertThat(r.out()).containsPattern("INVALID " + java.util.regex.Pattern.quote(BAD) + ": \\d+ problems");
        assertThat(r.out().lines().filter(l -> l.startsWith(BAD + ":")))
                .allMatch(l -> l.matches(".+:\\d+:\\d+: \\S.*: .+"));
    }

    @Test
    void jsonOutputHasOneObjectPerFileWithEveryProblemLocated() throws Exception {
        CliRun r = nodemesh("validate", "--output", "json", MESH, BAD, "no-such.yaml");
        assertThat(r.exitCode()).isEqualTo(2);
        JsonNode reports = new ObjectMapper().readTree(r.out());
        assertThat(reports).hasSize(3);
        assertThat(reports.get(0).get("result").asText()).isEqualTo("valid");
        assertThat(reports.get(0).get("summary").asText()).startsWith("2 nodes, 4 workloads");
        JsonNode bad = reports.get(1);
        assertThat(bad.get("result").asText()).isEqualTo("invalid");
        assertThat(bad.get("problems")).isNotEmpty().allSatisfy(p -> {
            assertThat(p.get("file").asText()).isEqualTo(BAD);
            assertThat(p.get("line").asInt()).isPositive();
            assertThat(p.get("reason").asText()).isNotBlank();
        });
        assertThat(bad.get("problems").findValuesAsText("path")).contains("services[shop/web].ports[0].port");
        assertThat(reports.get(2).get("result").asText()).isEqualTo("unreadable");
        assertThat(reports.get(2).get("error").asText()).isEqualTo("no such file");
    }

    @Test
    void malformedYamlIsBadInputWithItsLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "nodes:\n  - name: a\n    adresses: [192.168.0.1]\n");
        CliRun r = nodemesh("validate", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).contains(file + ":3:", "nodes[0].adresses: unknown field 'adresses'");

        Files.writeString(file, "nodes:\n  - name: a\n   addresses: [\n");
        CliRun syntax = nodemesh("validate", file.toString());
        assertThat(syntax.exitCode()).isEqualTo(2);
        assertThat(syntax.out()).startsWith(file + ":");
    }

    @Test
    void anUnreadableFileIsExitCode1() {
        CliRun r = nodemesh("validate", "no/such/file.yaml");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("no/such/file.yaml: cannot read: no such file");
    }

    @Test
    void severalFilesAreAllChecked(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("empty.json");
        Files.writeString(json, "{}");
        CliRun r = nodemesh("validate", MESH, json.toString(), BAD, "missing.yaml");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out())
                .contains(
                        "OK " + MESH,
                        "OK " + json + ": 0 nodes, 0 workloads, 0 services, 0 policies, 0 routes, no encryption",
                        "INVALID " + BAD);
        assertThat(r.err()).contains("missing.yaml: cannot read");
    }

    @Test
    void noFileIsAUsageError() {
        CliRun r = nodemesh("validate");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("FILE");
    }

    private static int lineOf(String document, String text) {
        int at = document.indexOf(text);
        assertThat(at).isNotNegative();
        return (int) document.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }
}
