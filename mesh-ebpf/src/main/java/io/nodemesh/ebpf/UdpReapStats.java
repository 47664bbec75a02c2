package io.nodemesh.ebpf;

import java.util.Optional;

/**
 * What the dataplane did about connected UDP sockets pinned to backends an apply removed (see docs/ebpf.md).
 *
 * @param unavailable why reaping is off (e.g. the kernel lacks {@code bpf_sock_destroy}); empty when it works
 * @param runs        iterator runs (one per network namespace per apply that removed UDP backends)
 * @param destroyed   sockets destroyed so far
 */
public record UdpReapStats(Optional<String> unavailable, long runs, long destroyed) {}
