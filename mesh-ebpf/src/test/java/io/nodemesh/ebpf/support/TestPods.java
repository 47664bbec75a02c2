package io.nodemesh.ebpf.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * "Pods" for the dataplane root tests: each a network namespace {@code nme<pid>-<name>} with a veth into a bridge
 * {@code nme<pid>b} in the root namespace, and an address in 10.200.0.0/16. Everything is removed by {@link #close()},
 * and leftovers of dead runs are swept when the set is made.
 */
public final class TestPods implements AutoCloseable {
    private final String bridge = RootSupport.PREFIX + "br";
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> hostLinks = new ArrayList<>();

    public TestPods() {
        sweepStale();
        run("ip", "link", "add", bridge, "type", "bridge");
        run("ip", "link", "set", bridge, "up");
    }

    /** A pod: netns + veth on the bridge + address {@code ip}/16. Returns its netns path. */
    public String add(String name, String ip) {
        String ns = RootSupport.PREFIX + "-" + name;
        String hostIf = RootSupport.PREFIX + "v" + name;
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", ns);
        hostLinks.add(hostIf);
        run("ip", "link", "set", hostIf, "master", bridge, "up");
        run("ip", "-n", ns, "addr", "add", ip + "/16", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "link", "set", "lo", "up");
        return netnsPath(name);
    }

    public static String netnsPath(String name) {
        return "/var/run/netns/" + RootSupport.PREFIX + "-" + name;
    }

    /** Starts {@code command} inside pod {@code name} (e.g. a server that must live outside this JVM's cgroup). */
    public Process exec(String name, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", RootSupport.PREFIX + "-" + name));
        cmd.addAll(List.of(command));
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        // The host ends first: a netns is torn down asynchronously by the kernel, so its veth pairs would linger a
        // moment after "ip netns del" returns (and a test checking for leftovers right after would see them).
        for (String link : hostLinks) quietly("ip", "link", "del", link);
        for (String ns : namespaces) quietly("ip", "netns", "del", ns);
        quietly("ip", "link", "del", bridge);
    }

    private static void sweepStale() {
        String links = output("ip", "-o", "link", "show");
        for (String line : links.lines().toList()) {
            String[] f = line.split(":\\s+");
            if (f.length < 2) continue;
            String name = f[1].split("@")[0];
            if (isStale(name)) quietly("ip", "link", "del", name);
        }
        for (String line : output("ip", "netns", "list").lines().toList()) {
            String name = line.split("\\s")[0];
            if (isStale(name)) quietly("ip", "netns", "del", name);
        }
    }

    /** nme<pid>... of a process that no longer exists. */
    private static boolean isStale(String name) {
        var m = java.util.regex.Pattern.compile("nme(\\d+).*").matcher(name);
        if (!m.matches()) return false;
        long pid = Long.parseLong(m.group(1));
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty();
    }

    static void run(String... command) {
        String out = exec(true, command);
        if (out != null) throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }

    private static void quietly(String... command) {
        exec(false, command);
    }

    private static String output(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Null on success, else the command's output. */
    private static String exec(boolean check, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? null : out.strip();
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
    }
}
