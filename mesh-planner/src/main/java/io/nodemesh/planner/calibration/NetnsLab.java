package io.nodemesh.planner.calibration;

import io.nodemesh.netlab.Addresses;
import io.nodemesh.netlab.Bridge;
import io.nodemesh.netlab.LabPrefix;
import io.nodemesh.netlab.Links;
import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.StaleSweep;
import io.nodemesh.netlab.VethPair;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny node built from network namespaces: a "node" namespace holding a bridge (the node's stack, where a node proxy
 * runs) and two "pod" namespaces, each wired to the bridge by a veth pair. Everything is named {@code <prefix>-…} and
 * lives inside the namespaces (the root namespace is not touched); {@link #close()} removes it all, and
 * {@link #sweepStale(String)} removes what a crashed earlier run left.
 */
final class NetnsLab implements AutoCloseable {
    static final String NODE_IP = "10.220.0.1";
    static final String POD_A_IP = "10.220.0.2";
    static final String POD_B_IP = "10.220.0.3";

    final String prefix;
    final String node;
    final String podA;
    final String podB;
    private final List<Netns> created = new ArrayList<>();

    NetnsLab(String prefix) {
        this.prefix = prefix;
        this.node = prefix + "-node";
        this.podA = prefix + "-a";
        this.podB = prefix + "-b";
    }

    /** Creates the namespaces, the bridge and the veths; on failure removes whatever was made. */
    NetnsLab create() {
        try {
            for (String ns : List.of(node, podA, podB)) created.add(Netns.create(ns));
            Netns nodeNs = created.getFirst();
            Bridge br0 = Bridge.create(nodeNs, "br0");
            Addresses.add(nodeNs, "br0", NODE_IP + "/16");
            wire(br0, created.get(1), "va", POD_A_IP);
            wire(br0, created.get(2), "vb", POD_B_IP);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** veth: {@code hostSide} on the node's bridge, {@code eth0} in the pod with {@code ip}. */
    private static void wire(Bridge br0, Netns pod, String hostSide, String ip) {
        VethPair.create(br0.netns(), hostSide, pod, "eth0");
        br0.attach(hostSide);
        Addresses.add(pod, "eth0", ip + "/16");
        Links.up(pod, "eth0");
    }

    @Override
    public void close() {
        for (Netns ns : created.reversed()) ns.close();
        created.clear();
    }

    /** Names of the namespaces this lab has made and not yet removed. */
    List<String> namespaces() {
        return created.stream().map(Netns::name).toList();
    }

    /**
     * Removes namespaces {@code nmp<pid>-…} left by runs whose process is gone (never {@code keepPrefix}'s), stopping
     * the processes still inside them first: those are our own sockperf/haproxy from the crashed run.
     */
    static List<String> sweepStale(String keepPrefix) {
        return StaleSweep.matching(LabPrefix.parse(keepPrefix).staleRuns()).namespaces();
    }
}
