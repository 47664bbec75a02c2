package io.nodemesh.api.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class SocketLbKeyTest {
    /** Written by an independent implementation; mesh-ebpf's FlowHashRootTest checks the kernel's C against it too. */
    static final Path VECTORS = Path.of("..", "bpf", "testdata", "flow-hash-vectors.tsv");

    @Test
    void hashMatchesEveryTestVector() throws IOException {
        List<String[]> rows = Files.readAllLines(VECTORS).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("\t"))
                .toList();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(10);
        for (String[] r : rows) {
            int expected = HexFormat.fromHexDigits(r[3]);
            assertThat(SocketLbKey.hash(SocketLbKey.address(r[0]), SocketLbKey.address(r[1]), Integer.parseInt(r[2])))
                    .as("hash of %s %s %s", r[0], r[1], r[2])
                    .isEqualTo(expected);
        }
    }

    @Test
    void aWorkloadIsKeyedByItsFirstIpv4AddressElseItsFirstAddress() {
        assertThat(SocketLbKey.workloadAddress(List.of("fd00::1", "10.0.0.1", "10.0.0.2")))
                .contains("10.0.0.1");
        assertThat(SocketLbKey.workloadAddress(List.of("bad", "fd00::1"))).contains("fd00::1");
        assertThat(SocketLbKey.workloadAddress(List.of())).isEmpty();
    }

    @Test
    void addressesAreSixteenBytesWithIpv4Mapped() {
        assertThat(SocketLbKey.address("10.1.2.3"))
                .containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3);
        assertThat(SocketLbKey.unknownClient()).hasSize(16).containsOnly(0);
    }

    @Test
    void badInputSaysWhatIsWrong() {
        assertThatThrownBy(() -> SocketLbKey.address("nope")).hasMessageContaining("'nope' is not an IP address");
        assertThatThrownBy(() -> SocketLbKey.hash(new byte[4], new byte[16], 80))
                .hasMessageContaining("client address has 4 bytes; the key takes 16");
        assertThatThrownBy(() -> SocketLbKey.hash(new byte[16], new byte[16], 70000))
                .hasMessageContaining("port 70000 is outside 0..65535");
    }
}
