package io.nodemesh.contract;

/** What one connection attempt came to. */
public sealed interface ConnectOutcome {
    /** Connected, and the workload with this key answered. */
    record Reached(String workload) implements ConnectOutcome {}

    /** The connection was refused or failed; {@code reason} says how (an errno name, "denied by policy", "no backend"). */
    record Failed(String reason) implements ConnectOutcome {}

    default boolean reached() {
        return this instanceof Reached;
    }
}
