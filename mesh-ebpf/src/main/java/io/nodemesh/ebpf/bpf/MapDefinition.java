package io.nodemesh.ebpf.bpf;

/** A map as declared in an object (or as the kernel reports it), before or after it exists. */
public record MapDefinition(String name, MapType type, int keySize, int valueSize, int maxEntries) {}
