package io.nodemesh.wireguard.testing;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Node;
import io.nodemesh.wireguard.WireguardSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A small cluster in network namespaces: an underlay namespace with bridge {@code br0} (10.211.0.0/24), N node
 * namespaces each on the bridge at 10.211.0.i, and behind each node one pod namespace at 10.210.i.10 (pod CIDR
 * 10.210.i.0/24, gateway 10.210.i.1 on the node). Nodes also have plain underlay routes to each other's pod CIDRs
 * (metric 1000) — the cleartext path a routed cluster has, which the tunnel must override and strict mode must block.
 * <p>
 * Everything is named {@code nmw<pid>…}; stale objects of dead runs are swept on creation, and {@link #close()} removes
 * every namespace, link, socket and process it made.
 */
public final class MeshTopology implements AutoCloseable {
    public static final String PREFIX = "nmw" + ProcessHandle.current().pid();
    private static final Pattern OURS = Pattern.compile("nmw(\\d+)[a-z].*");
    public static final String UNDERLAY_BRIDGE = "br0";

    private final int nodes;
    private final Path keyDir;
    private final List<String> namespaces = new ArrayList<>();

    private MeshTopology(int nodes) throws IOException {
        this.nodes = nodes;
        this.keyDir = Files.createTempDirectory("nmw-keys");
    }

    public static MeshTopology create(int nodes) throws IOException {
        sweepStale();
        MeshTopology t = new MeshTopology(nodes);
        try {
            t.build();
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private void build() {
        String u = underlayNs();
        addNs(u);
        ip(u, "link", "add", UNDERLAY_BRIDGE, "type", "bridge");
        ip(u, "link", "set", UNDERLAY_BRIDGE, "up");
        for (int i = 1; i <= nodes; i++) {
            String n = nodeNs(i);
            String p = podNs(i);
            addNs(n);
            addNs(p);
            veth(PREFIX + "a" + i, n, "eth0", PREFIX + "b" + i, u, "n" + i);
            ip(u, "link", "set", "n" + i, "master", UNDERLAY_BRIDGE, "up");
            ip(n, "addr", "add", nodeAddress(i) + "/24", "dev", "eth0");
            ip(n, "link", "set", "eth0", "up");
            veth(PREFIX + "c" + i, p, "eth0", PREFIX + "d" + i, n, "pod0");
            ip(n, "addr", "add", "10.210." + i + ".1/24", "dev", "pod0");
            ip(n, "link", "set", "pod0", "up");
            ip(p, "addr", "add", podIp(i) + "/24", "dev", "eth0");
            ip(p, "link", "set", "eth0", "up");
            ip(p, "route", "add", "default", "via", "10.210." + i + ".1");
            Sh.run("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        }
        for (int i = 1; i <= nodes; i++) {
            for (int j = 1; j <= nodes; j++) {
                if (i != j) ip(nodeNs(i), "route", "add", podCidr(j), "via", nodeAddress(j), "metric", "1000");
            }
        }
    }

    private void addNs(String ns) {
        Sh.run("ip", "netns", "add", ns);
        namespaces.add(ns);
        ip(ns, "link", "set", "lo", "up");
        // No IPv6: keeps neighbour discovery chatter off the underlay capture.
        Sh.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
    }

    /** A veth pair made in the root namespace under prefixed names, then moved and renamed, so nothing collides. */
    private static void veth(String a, String nsA, String nameA, String b, String nsB, String nameB) {
        Sh.run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        Sh.run("ip", "link", "set", a, "netns", nsA);
        Sh.run("ip", "link", "set", b, "netns", nsB);
        ip(nsA, "link", "set", a, "name", nameA);
        ip(nsB, "link", "set", b, "name", nameB);
    }

    public static void ip(String ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", ns));
        argv.addAll(List.of(args));
        Sh.run(argv.toArray(String[]::new));
    }

    public int size() { return nodes; }
    public String underlayNs() { return PREFIX + "u"; }
    public String nodeNs(int i) { return PREFIX + "n" + i; }
    public String podNs(int i) { return PREFIX + "p" + i; }
    public String wgIface(int i) { return PREFIX + "w" + i; }
    public String nodeName(int i) { return "node-" + i; }
    public static String nodeAddress(int i) { return "10.211.0." + i; }
    public static String podIp(int i) { return "10.210." + i + ".10"; }
    public static String podCidr(int i) { return "10.210." + i + ".0/24"; }

    public Node meshNode(int i) {
        return Node.of(nodeName(i), nodeAddress(i), podCidr(i));
    }

    /** Options for the wireguard backend on node i: its namespace, its interface, a key file in a temp dir. */
    public DataplaneOptions options(int i) {
        return DataplaneOptions.forNode(nodeName(i))
                .with(WireguardSettings.NETNS, nodeNs(i))
                .with(WireguardSettings.INTERFACE, wgIface(i))
                .with(WireguardSettings.KEY_FILE, keyDir.resolve("node-" + i + ".key").toString())
                .with(WireguardSettings.ADDRESS, "10.210." + i + ".254/32")
                .with(WireguardSettings.STRICT_CIDRS, "10.210.0.0/16");
    }

    public Path keyDir() {
        return keyDir;
    }

    /** Removes everything: processes in our namespaces, the namespaces (their links go with them), sockets, keys. */
    @Override
    public void close() {
        for (String ns : namespaces.reversed()) deleteNs(ns);
        namespaces.clear();
        deleteLinksAndSockets(PREFIX);
        try (Stream<Path> files = Files.walk(keyDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir
        }
    }

    /** Names of our objects still present: namespaces, root links, UAPI sockets, processes in our namespaces. */
    public static List<String> leftovers() {
        List<String> left = new ArrayList<>();
        for (String ns : Sh.run("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).toList()) {
            if (ns.startsWith(PREFIX)) left.add("netns " + ns);
        }
        for (String l : Sh.run("ip", "-o", "link", "show").lines().toList()) {
            String name = l.split(":")[1].strip().split("@")[0];
            if (name.startsWith(PREFIX)) left.add("link " + name);
        }
        try (Stream<Path> s = Files.list(Path.of("/var/run/wireguard"))) {
            s.filter(p -> p.getFileName().toString().startsWith(PREFIX)).forEach(p -> left.add("socket " + p));
        } catch (IOException ignored) {
            // no socket dir
        }
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("wireguard-go -f " + PREFIX))
                .forEach(p -> left.add("process " + p.pid()));
        return left;
    }

    /** Deletes objects of runs whose JVM is gone (their pid is in the name). */
    public static void sweepStale() {
        long self = ProcessHandle.current().pid();
        for (String ns : Sh.run("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).toList()) {
            Matcher m = OURS.matcher(ns);
            if (m.matches() && isStale(Long.parseLong(m.group(1)), self)) deleteNs(ns);
        }
        for (String l : Sh.run("ip", "-o", "link", "show").lines().toList()) {
            Matcher m = OURS.matcher(l.split(":")[1].strip().split("@")[0]);
            if (m.matches() && isStale(Long.parseLong(m.group(1)), self)) deleteLinksAndSockets("nmw" + m.group(1));
        }
        try (Stream<Path> s = Files.list(Path.of("/var/run/wireguard"))) {
            s.forEach(p -> {
                Matcher m = OURS.matcher(p.getFileName().toString());
                if (m.matches() && isStale(Long.parseLong(m.group(1)), self)) p.toFile().delete();
            });
        } catch (IOException ignored) {
            // no socket dir
        }
    }

    private static boolean isStale(long pid, long self) {
        return pid == self || ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    private static void deleteNs(String ns) {
        for (String pid : Sh.tryRun("ip", "netns", "pids", ns).stdout().lines().toList()) {
            ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
        Sh.tryRun("ip", "netns", "del", ns);
    }

    private static void deleteLinksAndSockets(String prefix) {
        for (String l : Sh.run("ip", "-o", "link", "show").lines().toList()) {
            String name = l.split(":")[1].strip().split("@")[0];
            if (name.startsWith(prefix)) Sh.tryRun("ip", "link", "del", name);
        }
        try (Stream<Path> s = Files.list(Path.of("/var/run/wireguard"))) {
            s.filter(p -> p.getFileName().toString().startsWith(prefix)).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // no socket dir
        }
    }
}
