package io.nodemesh.ebpf.restart;

import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.internal.seam.BpfSeam;
import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real libbpf with every map write counted on its way through (entries updated or deleted, batched or not): not a
 * fake, the kernel still does all the work. Lets a root test say how many entries an apply wrote.
 */
final class MapWriteCounter {
    private final AtomicLong written = new AtomicLong();
    private final Bpf bpf;

    MapWriteCounter(Bpf real) {
        Libbpf libbpf = BpfSeam.libbpf(real);
        Libbpf counted = (Libbpf) Proxy.newProxyInstance(
                Libbpf.class.getClassLoader(), new Class<?>[] {Libbpf.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "update", "delete" -> written.incrementAndGet();
                        case "updateBatch" -> written.addAndGet((int) args[3]);
                        case "deleteBatch" -> written.addAndGet((int) args[2]);
                        default -> {}
                    }
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

    /** Entries written since the last call. */
    long take() {
        return written.getAndSet(0);
    }
}
