package io.nodemesh.ebpf.differential;

import io.nodemesh.api.Verdict;

/**
 * What one connection attempt came to, in terms both backends can be asked about: which workload answered and whether
 * the bytes went by socket redirect, or which verdict refused it. Anything else (a timeout, a reset) is a {@link Broken}
 * outcome, which never matches the simulator.
 */
sealed interface Outcome {
    /** A server answered; {@code workload} is its key ({@code namespace/name}). */
    record Reached(String workload, boolean redirected) implements Outcome {}

    /** Refused before a byte was sent: {@link Verdict#DROPPED_POLICY} or {@link Verdict#NO_BACKEND}. */
    record Refused(Verdict verdict) implements Outcome {}

    /** The kernel side failed in a way no simulated outcome stands for (errno name or message). */
    record Broken(String error) implements Outcome {}
}
