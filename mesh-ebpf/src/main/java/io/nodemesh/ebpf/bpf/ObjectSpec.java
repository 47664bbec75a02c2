package io.nodemesh.ebpf.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A compiled eBPF ELF object as plain bytes, before anything touches the kernel: the "spec" that
 * {@link Bpf#load} turns into a live {@link BpfObject}.
 *
 * @param name a name for messages and for libbpf (e.g. {@code sockredirect})
 */
public record ObjectSpec(String name, byte[] elf) {
    private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};

    public ObjectSpec {
        elf = elf.clone();
        if (name == null || name.isBlank()) throw new IllegalArgumentException("object name must not be blank");
    }

    @Override
    public byte[] elf() {
        return elf.clone();
    }

    /** Whether the bytes at least start like an ELF file (libbpf checks the rest). */
    public boolean looksLikeElf() {
        return elf.length >= 4 && Arrays.equals(Arrays.copyOf(elf, 4), ELF_MAGIC);
    }

    public static ObjectSpec fromFile(Path file) {
        try {
            String n = file.getFileName().toString().replaceFirst("\\.o$", "").replaceFirst("\\.bpf$", "");
            return new ObjectSpec(n, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BPF object " + file, e);
        }
    }

    /** Reads {@code resource} (an absolute class-path resource like {@code /io/nodemesh/ebpf/bpf/x.bpf.o}). */
    public static ObjectSpec fromResource(Class<?> anchor, String resource) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null)
                throw new BpfException(
                        "BPF object resource " + resource + " not found (was bpf/build.sh run by the build?)");
            String file = resource.substring(resource.lastIndexOf('/') + 1);
            return new ObjectSpec(file.replaceFirst("\\.o$", "").replaceFirst("\\.bpf$", ""), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BPF object resource " + resource, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectSpec s && s.name.equals(name) && Arrays.equals(s.elf, elf);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(elf);
    }

    @Override
    public String toString() {
        return "ObjectSpec[" + name + ", " + elf.length + " bytes]";
    }
}
