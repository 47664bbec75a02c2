package io.nodemesh.planner.calibration;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The eBPF socket-redirect hop, for the calibration to measure. mesh-planner must not depend on a backend, so whoever
 * runs the calibration (the CLI, with mesh-ebpf) passes an implementation in; without one the redirect row stays "n/a".
 * <p>
 * The calibration starts its pod processes inside {@link Installed#cgroup()} and, after each run, asks the
 * installation for proof that the messages really were redirected: a run that took the veth path must fail.
 */
public interface RedirectPath {
    /** A pod of the calibration's node: name, its one IPv4 address and its network namespace file. */
    record Pod(String name, String ip, String netnsPath) {}

    /** Why this path cannot be installed here (no root, no bpffs, no libbpf …), or empty. Never throws. */
    Optional<String> unavailability();

    /**
     * Installs redirect between {@code pods} (all on one node), with every kernel object (pins, cgroup) named after
     * {@code prefix}; stale objects of a dead run's prefix are removed first. Throws {@link CalibrationException} naming
     * what failed, having removed whatever it made.
     */
    Installed install(String prefix, List<Pod> pods);

    /** A live installation; {@link #close()} uninstalls it and removes its cgroup (after its processes ended). */
    interface Installed extends AutoCloseable {
        /** The cgroup-v2 directory whose processes' sockets are redirected. */
        Path cgroup();

        /** A kernel counter that rises by one per message the redirect program handled (its run count). */
        long messagesHandled();

        /** How many sockets the redirect map holds between {@code ipA} and {@code ipB}:{@code port}, either way. */
        int socketsBetween(String ipA, String ipB, int port);

        /** What redirected (for the parameter file's source), e.g. {@code nodemesh ebpf dataplane, sk_msg nm_msg}. */
        String description();

        @Override
        void close();
    }
}
