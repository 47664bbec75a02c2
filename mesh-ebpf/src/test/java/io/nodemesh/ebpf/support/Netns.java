package io.nodemesh.ebpf.support;

import java.util.concurrent.Callable;

/**
 * Runs code inside a network namespace, on netlab's {@link io.nodemesh.netlab.Netns#call} (a fresh platform thread that
 * {@code setns(2)}s into it, so the sockets that code makes live there). Unlike netlab's, a checked exception of the
 * body comes back as itself: the root tests assert on the {@code IOException} a refused connect throws.
 */
public final class Netns {
    private Netns() {}

    /** Runs {@code body} in the namespace {@code ip netns} knows as {@code name}. */
    public static <T> T call(String name, Callable<T> body) throws Exception {
        try {
            return io.nodemesh.netlab.Netns.named(name).call(body);
        } catch (IllegalStateException e) {
            // netlab wraps a checked exception of the body (and only that) with the body's exception as cause
            if (e.getCause() instanceof Exception cause && !(cause instanceof RuntimeException)) throw cause;
            throw e;
        }
    }
}
