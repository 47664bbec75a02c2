package io.nodemesh.ebpf.testing;

import io.nodemesh.ebpf.support.RootSupport;
import io.nodemesh.netlab.Addresses;
import io.nodemesh.netlab.Bridge;
import io.nodemesh.netlab.Links;
import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.NetnsThread;
import io.nodemesh.netlab.Routes;
import io.nodemesh.netlab.StaleSweep;
import io.nodemesh.netlab.VethPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A node's worth of pods on this machine, for privileged tests: a Linux bridge with a gateway address, and pods
 * ({@link Pod}: netns + veth + IPv4/IPv6 address + optional cgroup) plugged into it, built from mesh-netlab's
 * namespaces, veths, bridge, addresses and routes. Everything is named with the per-run prefix {@code nme<pid>}
 * ({@link RootSupport#LAB}); leftovers of runs whose process is gone are swept when a network is created;
 * {@link #close()} removes everything it made, also after a failure half-way.
 * <p>
 * Addresses: one free {@code 10.200.X.0/24} and {@code fd00:200::X:0/112} per network (X chosen so concurrent runs on
 * the machine do not collide), gateway {@code .1} on the bridge, pods from {@code .2}.
 */
public final class PodNetwork implements AutoCloseable {
    /** A pod and the namespace handle that owns (and on close deletes) its netns. */
    private record Made(Pod pod, Netns netns) {}

    private final String prefix;
    private final Bridge bridge;
    private final int subnet;
    private final Path cgroupRoot;
    private final List<Made> pods = new ArrayList<>();
    private boolean cgroupRootMade;
    private boolean closed;

    private PodNetwork(String prefix, int subnet, Path cgroupRoot) {
        this.prefix = prefix;
        this.bridge = new Bridge(Netns.root(), prefix + "br");
        this.subnet = subnet;
        this.cgroupRoot = cgroupRoot;
    }

    /**
     * Sweeps stale leftovers, then makes the bridge. Pod cgroups (for pods that ask for one) go under
     * {@code cgroupRoot}, e.g. {@code /sys/fs/cgroup/unified/nme<pid>/pods}.
     */
    public static PodNetwork create(Path cgroupRoot) {
        sweepStale();
        PodNetwork net = new PodNetwork(RootSupport.PREFIX, freeSubnet(), cgroupRoot);
        try {
            Bridge.create(Netns.root(), net.bridge.name());
            Addresses.add(Netns.root(), net.bridge.name(), net.gatewayIpv4() + "/24");
            Addresses.addWithoutDad(Netns.root(), net.bridge.name(), net.gatewayIpv6() + "/112");
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
        return bridge.name();
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
        return pods.stream().map(Made::pod).toList();
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
        if (!name.matches("[a-z0-9][a-z0-9-]{0,30}"))
            throw new IllegalArgumentException("pod name '" + name + "' must be a short DNS label");
        int index = pods.size() + 2;
        if (index > 254) throw new IllegalStateException("a pod network holds at most 253 pods");
        String veth = prefix + "p" + index;
        String ipv4 = "10.200." + subnet + "." + index;
        String ipv6 = "fd00:200::" + subnet + ":" + Integer.toHexString(index);
        if (pods.stream().anyMatch(p -> p.pod().name().equals(name)))
            throw new IllegalArgumentException("pod " + name + " already exists");
        NetnsThread thread = null;
        Optional<Path> cgroup = Optional.empty();
        Netns netns = null;
        VethPair pair = null;
        try {
            netns = Netns.create(prefix + "-" + name);
            pair = VethPair.create(Netns.root(), veth, netns, "eth0");
            bridge.attach(veth);
            Addresses.add(netns, "eth0", ipv4 + "/24");
            Addresses.addWithoutDad(netns, "eth0", ipv6 + "/112");
            Links.up(netns, "eth0");
            Routes.viaGateway(netns, "default", gatewayIpv4());
            Routes.viaGateway(netns, "default", gatewayIpv6());
            if (withCgroup) {
                Path dir = cgroupRoot.resolve(name);
                cgroupRootMade |= !Files.isDirectory(cgroupRoot);
                Files.createDirectories(dir);
                cgroup = Optional.of(dir);
            }
            thread = new NetnsThread(netns);
            Pod pod = new Pod(name, netns.name(), veth, ipv4, ipv6, cgroup, thread);
            pods.add(new Made(pod, netns));
            return pod;
        } catch (IOException | RuntimeException e) {
            // undo exactly what this call made; the pods made before stay until close()
            if (thread != null) thread.close();
            if (netns != null) netns.close();
            if (pair != null) pair.delete();
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
        for (Made made : pods) {
            Pod pod = made.pod();
            pod.stopServers();
            pod.thread().close();
            made.netns().close(); // stops what runs inside, deletes its links (so the veth pair), then the namespace
            if (Netns.exists(pod.netns())) problems.add("netns " + pod.netns() + " still exists");
            Links.delete(Netns.root(), pod.hostVeth());
            pod.cgroup().ifPresent(RootSupport::removeCgroupTree);
        }
        pods.clear();
        Links.delete(Netns.root(), bridge.name());
        if (cgroupRootMade) RootSupport.removeCgroupTree(cgroupRoot);
        if (!problems.isEmpty()) throw new IllegalStateException("pod network cleanup: " + String.join("; ", problems));
    }

    /** Netns, links and cgroups named {@code nme<pid>...} whose process is gone. */
    public static void sweepStale() {
        StaleSweep sweep = StaleSweep.matching(RootSupport.LAB.staleRuns());
        sweep.namespaces();
        sweep.rootLinks();
        // cgroup directories are trees removed with rmdir (their control files go with them): RootSupport's job
        try (Stream<Path> s = Files.list(RootSupport.CGROUP2)) {
            s.filter(p -> RootSupport.LAB.staleRuns().test(p.getFileName().toString()))
                    .forEach(RootSupport::removeCgroupTree);
        } catch (IOException e) {
            // no cgroup v2 here: nothing to sweep
        }
    }

    /** The first 10.200.X.0/24 (X from a pid-derived start) no interface of the machine uses yet. */
    private static int freeSubnet() {
        String used = Netns.root().ipChecked("-o", "addr", "show");
        int start = (int) (ProcessHandle.current().pid() % 250);
        for (int i = 0; i < 250; i++) {
            int x = (start + i) % 250 + 1;
            if (!used.contains(" 10.200." + x + ".")) return x;
        }
        throw new IllegalStateException("no free 10.200.X.0/24 subnet for a pod network");
    }
}
