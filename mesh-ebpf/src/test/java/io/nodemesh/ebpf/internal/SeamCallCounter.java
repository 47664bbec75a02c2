package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.internal.seam.BpfSeam;
import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
        Libbpf libbpf = BpfSeam.libbpf(real);
        Libbpf counted = (Libbpf) Proxy.newProxyInstance(
                Libbpf.class.getClassLoader(), new Class<?>[] {Libbpf.class}, (proxy, method, args) -> {
                    calls.computeIfAbsent(method.getName(), k -> new AtomicLong())
                            .incrementAndGet();
                    try {
                        return method.invoke(libbpf, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        this.bpf = BpfSeam.over(counted);
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
