package io.nodemesh.ebpf.bpf;

/**
 * What the kernel says about a loaded program ({@code bpf_prog_info}). The run counters only move while
 * {@code kernel.bpf_stats_enabled=1}.
 */
public record ProgramInfo(int id, int type, String name, long runCount, long runTimeNanos) {}
