package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.internal.seam.ObservedLibbpf;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real libbpf with every call counted by name on its way through (e.g. {@code loadObject}, libbpf's
 * {@code bpf_object__load}): not a fake, the kernel still does all the work.
 */
final class SeamCallCounter {
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final Bpf bpf;

    SeamCallCounter(Bpf real) {
        this.bpf = ObservedLibbpf.over(
                real,
                (method, args) -> calls.computeIfAbsent(method.getName(), k -> new AtomicLong())
                        .incrementAndGet());
    }

    Bpf bpf() {
        return bpf;
    }

    /** Calls of {@code method} since the last take of it. */
    long take(String method) {
        AtomicLong n = calls.get(method);
        return n == null ? 0 : n.getAndSet(0);
    }
}
