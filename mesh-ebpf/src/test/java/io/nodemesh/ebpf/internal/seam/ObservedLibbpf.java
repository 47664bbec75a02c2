package io.nodemesh.ebpf.internal.seam;

import io.nodemesh.ebpf.bpf.Bpf;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.BiConsumer;

/**
 * The real libbpf under {@code real}, with every call shown to an observer on its way through: not a fake, the kernel
 * still does all the work. The one way root tests count what an apply or a start asked of libbpf.
 */
public final class ObservedLibbpf {
    private ObservedLibbpf() {}

    /** A {@link Bpf} over {@code real}'s libbpf that calls {@code observer} with each method and its arguments first. */
    public static Bpf over(Bpf real, BiConsumer<Method, Object[]> observer) {
        Libbpf libbpf = BpfSeam.libbpf(real);
        Libbpf observed = (Libbpf) Proxy.newProxyInstance(
                Libbpf.class.getClassLoader(), new Class<?>[] {Libbpf.class}, (proxy, method, args) -> {
                    observer.accept(method, args);
                    try {
                        return method.invoke(libbpf, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return BpfSeam.over(observed);
    }
}
