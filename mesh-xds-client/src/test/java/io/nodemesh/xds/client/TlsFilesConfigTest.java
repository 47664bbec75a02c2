package io.nodemesh.xds.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRFC A65's {@code "tls"} config as a bootstrap gives it: what is accepted, and each mistake as one clear message. */
class TlsFilesConfigTest {
    @TempDir
    Path dir;

    private Path file(String name) throws Exception {
        return Files.writeString(dir.resolve(name), "x");
    }

    @Test
    void allFourKeysAreRead() throws Exception {
        Path cert = file("cert.pem"), key = file("key.pem"), ca = file("ca.pem");
        TlsFilesConfig c = TlsFilesConfig.parse(Map.of(
                "certificate_file", cert.toString(),
                "private_key_file", key.toString(),
                "ca_certificate_file", ca.toString(),
                "refresh_interval", "1.5s"));
        assertThat(c).isEqualTo(new TlsFilesConfig(cert, key, ca, Duration.ofMillis(1500)));
        assertThat(c.empty()).isFalse();
    }

    @Test
    void anEmptyConfigIsGrpcsPlainTlsWithA65sDefaultRefresh() {
        TlsFilesConfig c = TlsFilesConfig.parse(Map.of());
        assertThat(c.empty()).isTrue();
        assertThat(c.refreshInterval()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aMissingFileNamesTheKeyAndThePath() throws Exception {
        Path missing = dir.resolve("xds+node-a/cert.pem");
        assertThatThrownBy(() -> TlsFilesConfig.parse(Map.of(
                        "certificate_file",
                        missing.toString(),
                        "private_key_file",
                        file("key.pem").toString())))
                .isInstanceOf(XdsCredentialsConfigException.class)
                .hasMessage("channel_creds \"tls\" config: certificate_file " + missing + ": no such file");
        assertThatThrownBy(() -> TlsFilesConfig.parse(Map.of("ca_certificate_file", dir.toString())))
                .hasMessage("channel_creds \"tls\" config: ca_certificate_file " + dir + ": not a regular file");
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused() throws Exception {
        assertThatThrownBy(() -> TlsFilesConfig.parse(
                        Map.of("certificate_file", file("cert.pem").toString())))
                .hasMessage("channel_creds \"tls\" config: certificate_file is set but private_key_file is not:"
                        + " give both or neither");
        assertThatThrownBy(() -> TlsFilesConfig.parse(
                        Map.of("private_key_file", file("key.pem").toString())))
                .hasMessage("channel_creds \"tls\" config: private_key_file is set but certificate_file is not:"
                        + " give both or neither");
    }

    @Test
    void aMisspeltKeyIsRefusedRatherThanIgnored() {
        assertThatThrownBy(() -> TlsFilesConfig.parse(Map.of("certficate_file", "/x")))
                .hasMessage("channel_creds \"tls\" config: unknown key 'certficate_file' (known: certificate_file,"
                        + " private_key_file, ca_certificate_file, refresh_interval)");
    }

    @Test
    void valuesOfTheWrongShapeAreNamed() {
        assertThatThrownBy(() -> TlsFilesConfig.parse(Map.of("ca_certificate_file", 12.0)))
                .hasMessage("channel_creds \"tls\" config: ca_certificate_file must be a non-empty string, not 12.0");
        assertThatThrownBy(() -> TlsFilesConfig.parse(Map.of("ca_certificate_file", " ")))
                .hasMessage("channel_creds \"tls\" config: ca_certificate_file must be a non-empty string, not ' '");
        assertThatThrownBy(() -> TlsFilesConfig.parse(Map.of("refresh_interval", "10m")))
                .hasMessage("channel_creds \"tls\" config: refresh_interval '10m' is not a duration in seconds such as"
                        + " \"600s\" or \"0.5s\"");
        assertThatThrownBy(() -> TlsFilesConfig.parse(Map.of("refresh_interval", "0s")))
                .hasMessage("channel_creds \"tls\" config: refresh_interval must be positive, not PT0S");
    }
}
