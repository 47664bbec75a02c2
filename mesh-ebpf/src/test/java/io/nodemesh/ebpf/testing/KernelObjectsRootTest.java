package io.nodemesh.ebpf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.contract.Privileges;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every program of bpf/ builds with bpf/build.sh and passes this kernel's verifier on its own (bpf/verify.sh loads
 * each object with bpftool in a private mount namespace, so nothing it pins is left behind).
 */
class KernelObjectsRootTest {
    @TempDir
    Path out;

    @Test
    void everyProgramBuildsAndTheVerifierAcceptsIt() {
        Privileges.requireRoot();
        Privileges.requireBinary("clang", "clang");
        Privileges.requireBinary("bpftool", "bpftool");
        Privileges.requireBinary("unshare", "util-linux");
        Path bpf = bpfDir();
        Shell.check(bpf.resolve("build.sh").toString(), out.toString());
        assertThat(out.resolve("service.bpf.o")).isRegularFile();
        assertThat(out.resolve("redirect.bpf.o")).isRegularFile();
        assertThat(out.resolve("steering.bpf.o")).isRegularFile();

        String verdict = Shell.check(bpf.resolve("verify.sh").toString(), out.toString());
        assertThat(verdict)
                .contains("service: verifier accepted 8 programs: nm_connect4 nm_connect6 nm_getpeername4 "
                        + "nm_getpeername6 nm_recvmsg4 nm_recvmsg6 nm_sendmsg4 nm_sendmsg6");
        assertThat(verdict).contains("redirect: verifier accepted 2 programs: nm_msg nm_sockops");
        assertThat(verdict).contains("steering: verifier accepted 2 programs: nm_orig_dst_get nm_steer_ops");
        assertThat(verdict).doesNotContain("REJECTED");
    }

    private static Path bpfDir() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("bpf/build.sh"))) return p.resolve("bpf");
        }
        throw new IllegalStateException("bpf/build.sh not found above " + System.getProperty("user.dir"));
    }
}
