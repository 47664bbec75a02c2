package io.nodemesh.ebpf.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.ebpf.support.BpfFdLeakCheck;
import io.nodemesh.ebpf.support.RootSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The C of {@code bpf/flow_hash.h} (what service.bpf.c keys Maglev by) run in the kernel over the shared test vectors
 * of {@code bpf/testdata}, which mesh-api's SocketLbKeyTest checks the Java against: both sides hash alike.
 */
@ExtendWith(BpfFdLeakCheck.class)
class FlowHashRootTest {
    private static final Path VECTORS = Path.of("..", "bpf", "testdata", "flow-hash-vectors.tsv");

    @Test
    void kernelHashesEveryTestVectorAsTheTableSays() throws IOException {
        Bpf bpf = RootSupport.requireBpf();
        List<String> expected = new ArrayList<>();
        for (String line : Files.readAllLines(VECTORS)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] r = line.split("\t");
            expected.add(expected.size() + " " + r[2] + " " + r[3]);
        }
        try (BpfObject obj = bpf.load(RootSupport.testObject("flow_hash_vectors"));
                IterLink it = obj.program("nm_hash_vectors").attachIterator()) {
            List<String> printed = it.run(Optional.empty()).lines().toList();
            assertThat(printed).as("row port hash, from the kernel").containsExactlyElementsOf(expected);
        }
    }
}
