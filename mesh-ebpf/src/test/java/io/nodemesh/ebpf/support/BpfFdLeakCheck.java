package io.nodemesh.ebpf.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a BPF file descriptor open (a map, program, link or ring buffer fd, or a directory on
 * bpffs/cgroupfs) — compared through /proc/self/fd before and after. Other fds (jars the JVM opens lazily) are ignored.
 */
public final class BpfFdLeakCheck implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(BpfFdLeakCheck.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("fds", bpfFds());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Map<Integer, String> before = context.getStore(NS).get("fds", Map.class);
        Map<Integer, String> after = bpfFds();
        after.keySet().removeAll(before.keySet());
        assertThat(after)
                .as("BPF file descriptors leaked by %s", context.getDisplayName())
                .isEmpty();
    }

    /** fd → link target, for fds that refer to BPF objects or bpffs/cgroup files. */
    public static Map<Integer, String> bpfFds() {
        Map<Integer, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.contains("bpf") || target.startsWith("/sys/fs/cgroup")) {
                        out.put(Integer.parseInt(fd.getFileName().toString()), target);
                    }
                } catch (IOException | NumberFormatException e) {
                    // closed while listing
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
