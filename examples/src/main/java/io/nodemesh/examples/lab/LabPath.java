package io.nodemesh.examples.lab;

/** The lab's paths, as its tables name them: where the client was and where its connection went. */
enum LabPath {
    SAME_NODE("same node (TCP: socket redirect)"),
    CROSS_NODE("cross node (WireGuard)"),
    HOST_TO_POD("host -> pod"),
    POLICY_DENIED("denied by policy"),
    FAILED("failed (not predicted)");

    final String label;

    LabPath(String label) {
        this.label = label;
    }
}
