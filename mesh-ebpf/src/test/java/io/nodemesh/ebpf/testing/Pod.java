package io.nodemesh.ebpf.testing;

import io.nodemesh.contract.ConnectOutcome;
import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.NetnsThread;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One "pod": a network namespace with a veth into the node bridge, an IPv4 and an IPv6 address, optionally its own
 * cgroup, and a platform thread inside its namespace for servers and clients. Made and removed by {@link PodNetwork}.
 */
public final class Pod {
    private final String name;
    private final String netns;
    private final String hostVeth;
    private final String ipv4;
    private final String ipv6;
    private final Optional<Path> cgroup;
    private final NetnsThread thread;
    private final List<AutoCloseable> servers = new CopyOnWriteArrayList<>();

    Pod(
            String name,
            String netns,
            String hostVeth,
            String ipv4,
            String ipv6,
            Optional<Path> cgroup,
            NetnsThread thread) {
        this.name = name;
        this.netns = netns;
        this.hostVeth = hostVeth;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.cgroup = cgroup;
        this.thread = thread;
    }

    public String name() {
        return name;
    }

    /** The namespace's name for {@code ip netns} ({@code nme<pid>-<name>}). */
    public String netns() {
        return netns;
    }

    /** Where the namespace is bound, for {@code Placement.netns}. */
    public Path netnsPath() {
        return Path.of("/var/run/netns", netns);
    }

    public String hostVeth() {
        return hostVeth;
    }

    public String ipv4() {
        return ipv4;
    }

    public String ipv6() {
        return ipv6;
    }

    /** The pod's cgroup-v2 directory, when it has one: processes started with {@link #exec} run in it. */
    public Optional<Path> cgroup() {
        return cgroup;
    }

    /** The thread inside the pod's namespace: sockets made in its tasks belong to the pod. */
    public NetnsThread thread() {
        return thread;
    }

    /** Starts a TCP and a UDP server on {@code port} that answer with {@code answer} (see {@link KeyServer}). */
    public KeyServer serve(int port, String answer) {
        KeyServer server = thread.call(() -> KeyServer.start(port, answer));
        servers.add(server);
        return server;
    }

    /** A TCP connection from inside the pod (a JVM socket made in its namespace). */
    public ConnectOutcome connect(String ip, int port) {
        return thread.call(() -> Clients.tcp(ip, port));
    }

    /** A UDP request from inside the pod. */
    public ConnectOutcome sendUdp(String ip, int port) {
        return thread.call(() -> Clients.udp(ip, port));
    }

    /**
     * Runs a command as a separate process inside the pod: in its network namespace ({@code ip netns exec}) and, when
     * the pod has one, in its cgroup — which a thread of this JVM cannot be, as cgroup membership is per process.
     */
    public Shell.Result exec(String... command) {
        List<String> argv = new ArrayList<>();
        if (cgroup.isPresent()) {
            argv.addAll(List.of(
                    "sh",
                    "-c",
                    "echo $$ > \"$0\" && exec \"$@\"",
                    cgroup.get().resolve("cgroup.procs").toString()));
        }
        argv.addAll(Netns.named(netns).wrap(List.of(command)));
        return Shell.run(argv);
    }

    /** A TCP connection from a separate process in the pod (an AF_INET socket, in the pod's cgroup if it has one). */
    public ConnectOutcome connectFromProcess(String ip, int port) {
        return Clients.fromProcess(
                exec("timeout", "5", "bash", "-c", Clients.BASH_TCP_CLIENT, "client", ip, Integer.toString(port)));
    }

    void stopServers() {
        for (AutoCloseable s : servers) {
            try {
                s.close();
            } catch (Exception e) {
                // closing a server socket twice or after the namespace went away is harmless
            }
        }
        servers.clear();
    }

    @Override
    public String toString() {
        return "pod " + name + " (" + ipv4 + ", " + ipv6 + ", netns " + netns + ")";
    }
}
