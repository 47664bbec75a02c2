package io.nodemesh.ebpf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.contract.Privileges;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM started without {@code --enable-native-access} gets an unavailability naming the flag, not a crash or a
 * warning from a static initializer; with the flag (and root) the same probe says available.
 */
class NativeAccessAvailabilityTest {
    @Test
    void missingNativeAccessIsReportedWithTheExactFlag() throws Exception {
        String out = probe(List.of());
        assertThat(out).startsWith("UNAVAILABLE");
        if (Privileges.isRoot()) {
            assertThat(out).contains("--enable-native-access=ALL-UNNAMED").contains("class path");
            assertThat(probe(List.of("--enable-native-access=ALL-UNNAMED"))).isEqualTo("AVAILABLE");
        }
    }

    private static String probe(List<String> jvmFlags) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NativeAccessProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("probe failed: %s", err).isZero();
        assertThat(err)
                .as("nothing may touch native code before access is checked")
                .doesNotContain("restricted method");
        return out.lines().reduce((a, b) -> b).orElse("");
    }
}
