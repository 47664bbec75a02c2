package io.nodemesh.api;

/** The kind of object an {@link ApplyResult.Change} is about. */
public enum ChangeKind {
    NODE,
    WORKLOAD,
    SERVICE,
    POLICY,
    ROUTE,
    ENCRYPTION
}
