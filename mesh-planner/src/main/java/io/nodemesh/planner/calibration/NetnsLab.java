package io.nodemesh.planner.calibration;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Pattern OURS = Pattern.compile("^(nmp(\\d+))-(node|a|b)\\b");

    final String prefix;
    final String node;
    final String podA;
    final String podB;
    private final List<String> created = new ArrayList<>();

    NetnsLab(String prefix) {
        this.prefix = prefix;
        this.node = prefix + "-node";
        this.podA = prefix + "-a";
        this.podB = prefix + "-b";
    }

    /** Creates the namespaces, the bridge and the veths; on failure removes whatever was made. */
    NetnsLab create() {
        try {
            for (String ns : List.of(node, podA, podB)) {
                Commands.run(10, "ip", "netns", "add", ns);
                created.add(ns);
                Commands.run(10, "ip", "-n", ns, "link", "set", "lo", "up");
            }
            Commands.run(10, "ip", "-n", node, "link", "add", "br0", "type", "bridge");
            Commands.run(10, "ip", "-n", node, "addr", "add", NODE_IP + "/16", "dev", "br0");
            Commands.run(10, "ip", "-n", node, "link", "set", "br0", "up");
            wire(podA, "va", POD_A_IP);
            wire(podB, "vb", POD_B_IP);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** veth: {@code hostSide} on the node's bridge, {@code eth0} in the pod with {@code ip}. */
    private void wire(String pod, String hostSide, String ip) {
        Commands.run(10, "ip", "-n", node, "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", pod);
        Commands.run(10, "ip", "-n", node, "link", "set", hostSide, "master", "br0");
        Commands.run(10, "ip", "-n", node, "link", "set", hostSide, "up");
        Commands.run(10, "ip", "-n", pod, "addr", "add", ip + "/16", "dev", "eth0");
        Commands.run(10, "ip", "-n", pod, "link", "set", "eth0", "up");
    }

    @Override
    public void close() {
        for (String ns : created.reversed()) removeNamespace(ns);
        created.clear();
    }

    /** Names of the namespaces this lab has made and not yet removed. */
    List<String> namespaces() {
        return List.copyOf(created);
    }

    /**
     * Removes namespaces {@code nmp<pid>-node|a|b} left by runs whose process is gone (never {@code keepPrefix}'s),
     * stopping the processes still inside them first: those are our own sockperf/haproxy from the crashed run.
     */
    static List<String> sweepStale(String keepPrefix) {
        List<String> removed = new ArrayList<>();
        String list = Commands.tryRun(10, "ip", "netns", "list");
        if (list == null) return removed;
        for (String line : list.split("\n")) {
            Matcher m = OURS.matcher(line.strip());
            if (!m.find() || m.group(1).equals(keepPrefix)) continue;
            long pid = Long.parseLong(m.group(2));
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
            String ns = line.strip().split("\\s+")[0];
            removeNamespace(ns);
            removed.add(ns);
        }
        return removed;
    }

    static boolean exists(String ns) {
        String list = Commands.tryRun(10, "ip", "netns", "list");
        if (list == null) return false;
        for (String line : list.split("\n")) {
            if (line.strip().split("\\s+")[0].equals(ns)) return true;
        }
        return false;
    }

    private static void removeNamespace(String ns) {
        String pids = Commands.tryRun(10, "ip", "netns", "pids", ns);
        if (pids != null) {
            for (String pid : pids.split("\\s+")) {
                if (pid.isBlank()) continue;
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        Commands.tryRun(10, "ip", "netns", "delete", ns);
    }
}
