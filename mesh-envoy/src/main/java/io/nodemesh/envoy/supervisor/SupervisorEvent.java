package io.nodemesh.envoy.supervisor;

import java.time.Duration;

/** What the supervisor saw and did, in order; for logs, metrics and tests. */
public sealed interface SupervisorEvent {
    record Started(int epoch, long pid) implements SupervisorEvent {}

    record Ready(int epoch, long pid) implements SupervisorEvent {}

    /** A process stopped without being asked to. */
    record Exited(int epoch, long pid, int exitCode) implements SupervisorEvent {}

    /** A process did not become ready in time and was stopped. */
    record NotReady(int epoch, long pid) implements SupervisorEvent {}

    record RestartScheduled(Duration delay, int crashesInARow) implements SupervisorEvent {}

    /** A new epoch took over from {@code fromEpoch}, which drains and exits by itself. */
    record HotRestarted(int fromEpoch, int toEpoch) implements SupervisorEvent {}

    record Stopped(int epoch) implements SupervisorEvent {}
}
