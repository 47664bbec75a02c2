package io.nodemesh.examples.lab;

import io.nodemesh.netlab.Links;
import io.nodemesh.netlab.Netns;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The floor every lab path is measured against: on each node a "pod" with no mesh at all — a namespace of its own
 * with only {@code lo}, its servers on 127.0.0.1 — served by the node's pod JVM and timed by the same client code.
 * Its round trip is the application's own cost (JVM, syscalls, scheduling) plus one loopback hop; no translation,
 * redirect or tunnel touches it (both ends are 127.0.0.1, which the eBPF programs leave alone).
 */
final class LabFloor {
    static final String NAME = "nm-floor";
    static final String ADDRESS = "127.0.0.1";

    private LabFloor() {}

    /** Makes a floor namespace; {@code made} learns it for tear-down. Its threaded cgroup is {@link #cgroup}. */
    static Netns create(String netnsName, Consumer<Netns> made) {
        Netns ns = Netns.create(netnsName);
        made.accept(ns);
        Links.up(ns, "lo");
        return ns;
    }

    /** Starts the floor's servers in the node's pod JVM, in the namespace and cgroup made by {@link #create}. */
    static void start(PodHostProcess pods, LabNode node, Netns ns) {
        pods.sendOk(30, "pod", NAME, ns.name(), cgroup(node).toString(), ADDRESS);
    }

    /** Where traffic to {@code node}'s floor starts. */
    static From from(LabNode node) {
        return new From(node, NAME, NAME);
    }

    /** The floor's port for {@code kind}: its servers listen where a pod's do. */
    static int port(PodCommand.Kind kind) {
        return switch (kind) {
            case tcp -> PodServers.TCP_PORT;
            case udp -> PodServers.UDP_PORT;
            case http -> PodServers.HTTP_PORT;
        };
    }

    /** The floor's threaded cgroup below the node's, made with the pods' ones. */
    static Path cgroup(LabNode node) {
        return node.cgroup().resolve(NAME);
    }
}
