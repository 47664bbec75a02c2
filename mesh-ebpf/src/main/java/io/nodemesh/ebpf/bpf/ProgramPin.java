package io.nodemesh.ebpf.bpf;

import java.nio.file.Path;

/**
 * A program pinned by an earlier load, and what the kernel cannot tell about it (its full name and ELF section; the
 * kernel keeps 15 characters of the name and no section): for {@link Bpf#openPinnedObject}.
 *
 * @param type {@code enum bpf_prog_type}, checked against the pinned program
 */
public record ProgramPin(String name, String section, int type, Path pin) {}
