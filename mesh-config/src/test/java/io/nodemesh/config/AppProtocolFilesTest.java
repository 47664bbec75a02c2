package io.nodemesh.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.ServicePort;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code appProtocol:} of a service port: read in any case, written only when not the default, errors located. */
class AppProtocolFilesTest {
    private static String yaml(String ports) {
        return """
            nodes:
              - name: node-a
                addresses: [192.168.0.1]
                podCidrs: [10.1.0.0/24]
            services:
              - namespace: shop
                name: api
                vips: [10.96.0.10]
                ports:
            %s
                layer: l7
            """.formatted(ports);
    }

    @Test
    void readsEachValueInAnyCaseAndDefaultsToTcp() throws Exception {
        MeshState s = MeshStateFiles.parse("m.yaml", yaml("""
                          - {port: 80, appProtocol: http}
                          - {port: 81, appProtocol: HTTP2}
                          - {port: 82, appProtocol: Grpc}
                          - {port: 83, appProtocol: tcp}
                          - {port: 84}
                    """), StateFormat.YAML);
        assertThat(s.services().getFirst().ports())
                .extracting(ServicePort::appProtocol)
                .containsExactly(
                        AppProtocol.HTTP, AppProtocol.HTTP2, AppProtocol.GRPC, AppProtocol.TCP, AppProtocol.TCP);
    }

    @Test
    void writesItOnlyWhenNotTheDefaultAndReadsBackEqual() throws Exception {
        MeshState s = MeshStateFiles.parse(
                "m.yaml", yaml("      - {port: 80, appProtocol: grpc}\n      - {port: 81}\n"), StateFormat.YAML);
        String written = MeshStateFiles.write(s, StateFormat.YAML);
        assertThat(written).contains("appProtocol: grpc").doesNotContain("appProtocol: tcp");
        assertThat(MeshStateFiles.parse("again.yaml", written, StateFormat.YAML))
                .isEqualTo(s);
        assertThat(MeshStateFiles.parse("again.json", MeshStateFiles.write(s, StateFormat.JSON), StateFormat.JSON))
                .isEqualTo(s);
    }

    @Test
    void anUnknownValueNamesTheFileTheFieldAndTheValues(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mesh.yaml");
        Files.writeString(file, yaml("      - {port: 80, appProtocol: http3}\n"));
        StateFileException e = catchThrowableOfType(StateFileException.class, () -> MeshStateFiles.read(file));
        StateFileProblem p = e.problems().getFirst();
        assertThat(p.file()).isEqualTo(file.toString());
        assertThat(p.path()).isEqualTo("services[0].ports[0].appProtocol");
        assertThat(p.reason()).isEqualTo("'http3' is not one of: tcp, http, http2, grpc");
        assertThat(p.toString()).startsWith(file + ":" + p.line() + ":");
    }

    @Test
    void anApplicationProtocolOnAUdpPortIsAViolationAtItsField() {
        CheckedState checked = MeshStateFiles.check(
                "m.yaml",
                yaml("      - {port: 53, protocol: udp, appProtocol: grpc}\n").replace("    layer: l7\n", ""),
                StateFormat.YAML);
        assertThat(((CheckedState.Invalid) checked).problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("services[shop/api].ports[0].appProtocol");
            assertThat(p.reason()).isEqualTo("GRPC runs over TCP, not UDP");
        });
    }
}
