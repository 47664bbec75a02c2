package io.nodemesh.ebpf.restart;

import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.internal.seam.ObservedLibbpf;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real libbpf with every map write counted on its way through (entries updated or deleted, batched or not): not a
 * fake, the kernel still does all the work. Lets a root test say how many entries an apply wrote.
 */
final class MapWriteCounter {
    private final AtomicLong written = new AtomicLong();
    private final Bpf bpf;

    MapWriteCounter(Bpf real) {
        this.bpf = ObservedLibbpf.over(real, (method, args) -> {
            switch (method.getName()) {
                case "update", "delete" -> written.incrementAndGet();
                case "updateBatch" -> written.addAndGet((int) args[3]);
                case "deleteBatch" -> written.addAndGet((int) args[2]);
                default -> {}
            }
        });
    }

    Bpf bpf() {
        return bpf;
    }

    /** Entries written since the last call. */
    long take() {
        return written.getAndSet(0);
    }
}
