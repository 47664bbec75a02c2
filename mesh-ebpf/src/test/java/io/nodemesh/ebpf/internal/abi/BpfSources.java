package io.nodemesh.ebpf.internal.abi;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's {@code bpf/} directory from the test's working directory (the module, or the repo root). */
final class BpfSources {
    private BpfSources() {}

    static Path dir() {
        Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("bpf/nodemesh.h");
            if (Files.isRegularFile(candidate)) return candidate.getParent();
        }
        throw new IllegalStateException("bpf/nodemesh.h not found above " + here);
    }
}
