package io.nodemesh.ebpf.testing;

import io.nodemesh.ebpf.support.RootSupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A node's worth of pods on this machine, for privileged tests: a Linux bridge with a gateway address, and pods
 * ({@link Pod}: netns + veth + IPv4/IPv6 address + optional cgroup) plugged into it. Everything is named with the
 * per-run prefix {@code nme<pid>} ({@link RootSupport#PREFIX}); leftovers of runs whose process is gone are swept when a
 * network is created; {@link #close()} removes everything it made, also after a failure half-way.
 * <p>
 * Addresses: one free {@code 10.200.X.0/24} and {@code fd00:200::X:0/112} per network (X chosen so concurrent runs on
 * the machine do not collide), gateway {@code .1} on the bridge, pods from {@code .2}.
 */
public final class PodNetwork implements AutoCloseable {
    private static final Pattern PREFIXED = Pattern.compile("nme(\\d+).*");
    private static final Path NETNS_DIR = Path.of("/var/run/netns");

    private final String prefix;
    private final String bridge;
    private final int subnet;
    private final Path cgroupRoot;
    private final List<Pod> pods = new ArrayList<>();
    private boolean cgroupRootMade;
    private boolean closed;

    private PodNetwork(String prefix, int subnet, Path cgroupRoot) {
        this.prefix = prefix;
        this.bridge = prefix + "br";
        this.subnet = subnet;
        this.cgroupRoot = cgroupRoot;
    }

    /**
     * Sweeps stale leftovers, then makes the bridge. Pod cgroups (for pods that ask for one) go under
     * {@code cgroupRoot}, e.g. {@code /sys/fs/cgroup/unified/nme<pid>/pods}.
     */
    public static PodNetwork create(Path cgroupRoot) {
        sweepStale();
        String prefix = RootSupport.PREFIX;
        PodNetwork net = new PodNetwork(prefix, freeSubnet(), cgroupRoot);
        try {
            Shell.check("ip", "link", "add", net.bridge, "type", "bridge");
            Shell.check("ip", "addr", "add", net.gatewayIpv4() + "/24", "dev", net.bridge);
            Shell.check("ip", "addr", "add", net.gatewayIpv6() + "/112", "dev", net.bridge, "nodad");
            Shell.check("ip", "link", "set", net.bridge, "up");
            return net;
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /** A network whose pod cgroups go under {@code /sys/fs/cgroup/unified/nme<pid>/pods}. */
    public static PodNetwork create() {
        return create(RootSupport.CGROUP2.resolve(RootSupport.PREFIX).resolve("pods"));
    }

    public String bridge() {
        return bridge;
    }

    /** The node's address on the pod network (the bridge): host processes reach pods from it. */
    public String gatewayIpv4() {
        return "10.200." + subnet + ".1";
    }

    public String gatewayIpv6() {
        return "fd00:200::" + subnet + ":1";
    }

    public String cidrV4() {
        return "10.200." + subnet + ".0/24";
    }

    public String cidrV6() {
        return "fd00:200::" + subnet + ":0/112";
    }

    public List<Pod> pods() {
        return List.copyOf(pods);
    }

    /** A pod known by address and netns only. */
    public Pod addPod(String name) {
        return add(name, false);
    }

    /** A pod that also has its own cgroup, so processes started in it ({@link Pod#exec}) are told apart by cgroup id. */
    public Pod addPodWithCgroup(String name) {
        return add(name, true);
    }

    private synchronized Pod add(String name, boolean withCgroup) {
        if (closed) throw new IllegalStateException("pod network is closed");
        if (!name.matches("[a-z0-9][a-z0-9-]{0,30}")) throw new IllegalArgumentException("pod name '" + name + "' must be a short DNS label");
        int index = pods.size() + 2;
        if (index > 254) throw new IllegalStateException("a pod network holds at most 253 pods");
        String netns = prefix + "-" + name;
        String veth = prefix + "p" + index;
        String ipv4 = "10.200." + subnet + "." + index;
        String ipv6 = "fd00:200::" + subnet + ":" + Integer.toHexString(index);
        if (pods.stream().anyMatch(p -> p.name().equals(name))) throw new IllegalArgumentException("pod " + name + " already exists");
        PodThread thread = null;
        Optional<Path> cgroup = Optional.empty();
        boolean netnsMade = false;
        boolean vethMade = false;
        try {
            Shell.check("ip", "netns", "add", netns);
            netnsMade = true;
            Shell.check("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns);
            vethMade = true;
            Shell.check("ip", "link", "set", veth, "master", bridge, "up");
            Shell.check("ip", "-n", netns, "link", "set", "lo", "up");
            Shell.check("ip", "-n", netns, "addr", "add", ipv4 + "/24", "dev", "eth0");
            Shell.check("ip", "-n", netns, "addr", "add", ipv6 + "/112", "dev", "eth0", "nodad");
            Shell.check("ip", "-n", netns, "link", "set", "eth0", "up");
            Shell.check("ip", "-n", netns, "route", "add", "default", "via", gatewayIpv4());
            Shell.check("ip", "-n", netns, "-6", "route", "add", "default", "via", gatewayIpv6());
            if (withCgroup) {
                Path dir = cgroupRoot.resolve(name);
                cgroupRootMade |= !Files.isDirectory(cgroupRoot);
                Files.createDirectories(dir);
                cgroup = Optional.of(dir);
            }
            thread = new PodThread(netns, NETNS_DIR.resolve(netns));
            Pod pod = new Pod(name, netns, veth, ipv4, ipv6, cgroup, thread);
            pods.add(pod);
            return pod;
        } catch (IOException | RuntimeException e) {
            // undo exactly what this call made; the pods made before stay until close()
            if (thread != null) thread.close();
            if (netnsMade) Shell.run("ip", "netns", "del", netns);
            if (vethMade) Shell.run("ip", "link", "del", veth);
            cgroup.ifPresent(RootSupport::removeCgroupTree);
            if (e instanceof IOException io) throw new UncheckedIOException("cannot make cgroup for pod " + name, io);
            throw (RuntimeException) e;
        }
    }

    /** Removes every pod (servers, threads, netns, veth, cgroup) and the bridge; never throws half-way. */
    @Override
    public synchronized void close() {
        closed = true;
        List<String> problems = new ArrayList<>();
        for (Pod pod : pods) {
            pod.stopServers();
            pod.thread().close();
            Shell.Result r = Shell.run("ip", "netns", "del", pod.netns()); // its veth end goes with it, and so the pair
            if (!r.ok()) problems.add("ip netns del " + pod.netns() + ": " + r.output().strip());
            Shell.run("ip", "link", "del", pod.hostVeth());
            pod.cgroup().ifPresent(RootSupport::removeCgroupTree);
        }
        pods.clear();
        Shell.run("ip", "link", "del", bridge);
        if (cgroupRootMade) RootSupport.removeCgroupTree(cgroupRoot);
        if (!problems.isEmpty()) throw new IllegalStateException("pod network cleanup: " + String.join("; ", problems));
    }

    /** Netns, links and cgroups named {@code nme<pid>...} whose process is gone. */
    public static void sweepStale() {
        for (String ns : Shell.run("ip", "netns", "list").output().lines().map(l -> l.split("\\s+")[0]).toList()) {
            if (isStale(ns)) Shell.run("ip", "netns", "del", ns);
        }
        for (String line : Shell.run("ip", "-o", "link", "show").output().lines().toList()) {
            String[] parts = line.split(":\\s+");
            if (parts.length < 2) continue;
            String link = parts[1].split("@")[0];
            if (isStale(link)) Shell.run("ip", "link", "del", link);
        }
        try (Stream<Path> s = Files.list(RootSupport.CGROUP2)) {
            s.filter(p -> isStale(p.getFileName().toString())).forEach(RootSupport::removeCgroupTree);
        } catch (IOException e) {
            // no cgroup v2 here: nothing to sweep
        }
    }

    /** Whether {@code name} carries a run prefix whose process no longer exists. */
    static boolean isStale(String name) {
        Matcher m = PREFIXED.matcher(name);
        if (!m.matches()) return false;
        long pid;
        try {
            pid = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return false;
        }
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty();
    }

    /** The first 10.200.X.0/24 (X from a pid-derived start) no interface of the machine uses yet. */
    private static int freeSubnet() {
        String used = Shell.run("ip", "-o", "addr", "show").output();
        int start = (int) (ProcessHandle.current().pid() % 250);
        for (int i = 0; i < 250; i++) {
            int x = (start + i) % 250 + 1;
            if (!used.contains(" 10.200." + x + ".")) return x;
        }
        throw new IllegalStateException("no free 10.200.X.0/24 subnet for a pod network");
    }
}
