package io.nodemesh.netlab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace by name, or the root namespace ({@link #root()}). Commands run inside it ({@code ip -n},
 * {@code ip netns exec}), and Java code can run inside it on a thread of its own ({@link #call}).
 * <p>
 * Only a namespace made by {@link #create} is owned: its {@link #close()} stops the processes still inside and deletes
 * it (its links go with it). A handle from {@link #named} or {@link #root()} closes to nothing.
 */
public final class Netns implements AutoCloseable {
    private static final Netns ROOT = new Netns("", false);
    private final String name;
    private final boolean owned;
    private boolean deleted;

    private Netns(String name, boolean owned) {
        this.name = name;
        this.owned = owned;
    }

    /** The namespace this process runs in: commands run unwrapped. */
    public static Netns root() {
        return ROOT;
    }

    /** A handle on a namespace someone else made (an empty name means the root namespace). */
    public static Netns named(String name) {
        return name.isEmpty() ? ROOT : new Netns(name, false);
    }

    /** {@code ip netns add name} and loopback up; owned: {@link #close()} deletes it. Fails if the name is taken. */
    public static Netns create(String name) {
        if (name.isEmpty() || name.contains("/"))
            throw new IllegalArgumentException("bad namespace name '" + name + "'");
        Commands.check("ip", "netns", "add", name);
        Netns ns = new Netns(name, true);
        try {
            ns.ipChecked("link", "set", "lo", "up");
            return ns;
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** The names in {@code ip netns list}. */
    public static List<String> list() {
        return Commands.check("ip", "netns", "list")
                .lines()
                .map(l -> l.strip().split("\\s+")[0])
                .filter(s -> !s.isEmpty())
                .toList();
    }

    public static boolean exists(String name) {
        return list().contains(name);
    }

    /** Empty for the root namespace. */
    public String name() {
        return name;
    }

    public boolean isRoot() {
        return name.isEmpty();
    }

    /** Where {@code ip netns} binds it ({@code /var/run/netns/<name>}), e.g. for a placement that takes a path. */
    public java.nio.file.Path path() {
        if (isRoot()) throw new IllegalStateException("the root namespace has no bind mount; use /proc/1/ns/net");
        return java.nio.file.Path.of("/var/run/netns", name);
    }

    /** {@code ip [-n name] args…}. */
    public CommandResult ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        if (!isRoot()) argv.addAll(List.of("-n", name));
        argv.addAll(List.of(args));
        return Commands.run(Commands.DEFAULT_TIMEOUT, null, argv);
    }

    /** {@code ip [-n name] args…}, returning stdout or failing with the command, exit code and stderr. */
    public String ipChecked(String... args) {
        return ip(args).orThrow();
    }

    /** Runs {@code argv} inside this namespace. */
    public CommandResult exec(String... argv) {
        return exec(Commands.DEFAULT_TIMEOUT, null, List.of(argv));
    }

    /** Runs {@code argv} inside this namespace with {@code stdin} (may be null) and a timeout. */
    public CommandResult exec(Duration timeout, String stdin, List<String> argv) {
        return Commands.run(timeout, stdin, wrap(argv));
    }

    /** Runs {@code argv} inside this namespace, returning stdout or failing with a {@link CommandException}. */
    public String execChecked(String... argv) {
        return exec(argv).orThrow();
    }

    /** The argv that runs {@code argv} in this namespace ({@code ip netns exec name …}), for a ProcessBuilder. */
    public List<String> wrap(List<String> argv) {
        if (isRoot()) return List.copyOf(argv);
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", name));
        wrapped.addAll(argv);
        return wrapped;
    }

    /**
     * Runs {@code body} on a fresh platform thread that first enters this namespace with {@code setns(2)}: sockets it
     * opens live here, and stay here when used from other threads. The thread then ends, so no pooled thread is ever
     * left in a foreign namespace. A runtime exception of the body is rethrown as is.
     */
    public <T> T call(Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform()
                .name("netns-" + (isRoot() ? "root" : name))
                .start(() -> {
                    try {
                        if (!isRoot()) Setns.enter(name);
                        result.complete(body.call());
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                });
        try {
            t.join();
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running in netns " + name, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException("in netns " + name + ": " + e.getCause(), e.getCause());
        }
    }

    /** Pids of the processes inside ({@code ip netns pids}); empty if the namespace is gone. */
    public List<Long> pids() {
        if (isRoot()) throw new IllegalStateException("pids() of the root namespace");
        CommandResult r = Commands.run("ip", "netns", "pids", name);
        if (!r.ok()) return List.of();
        return r.stdout()
                .lines()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(Long::parseLong)
                .toList();
    }

    /**
     * Stops every process inside (SIGTERM, SIGKILL after 5 s), deletes its links and then the namespace, whoever made it. Best
     * effort: a namespace already gone is no error, and cleanup must go on past one that resists.
     */
    public void delete() {
        if (isRoot()) throw new IllegalStateException("cannot delete the root namespace");
        for (long pid : pids()) {
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
        // The kernel tears a deleted namespace down asynchronously, and a veth end in another namespace lives until
        // then; deleting the links first removes their peers now, so "nothing left after close" holds on return.
        CommandResult links = ip("-o", "link", "show");
        if (links.ok()) {
            for (String link : links.stdout()
                    .lines()
                    .filter(l -> l.contains(":"))
                    .map(l -> l.split(":")[1].strip().split("@")[0])
                    .toList()) {
                if (!link.equals("lo")) ip("link", "del", "dev", link);
            }
        }
        Commands.run("ip", "netns", "delete", name);
        deleted = true;
    }

    /** Deletes the namespace if this handle made it; otherwise nothing. */
    @Override
    public void close() {
        if (owned && !deleted) delete();
    }

    @Override
    public String toString() {
        return isRoot() ? "root netns" : "netns " + name;
    }
}
