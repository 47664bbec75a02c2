package io.nodemesh.ebpf.support;

import io.nodemesh.netlab.Cgroups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cgroup-v2 directory for one test, {@code /sys/fs/cgroup/unified/nme<pid>/<name>}. Programs attached there see only
 * sockets made by processes in it, so a test can move this JVM in ({@link #enter()}), make its sockets, and move back
 * ({@link #close()}) without touching any other process on the machine.
 */
public final class TestCgroup implements AutoCloseable {
    private final Path dir;
    private final Path original;
    private Cgroups.Joined joined;

    private TestCgroup(Path dir, Path original) {
        this.dir = dir;
        this.original = original;
    }

    public static TestCgroup create(String name) {
        Path dir = RootSupport.CGROUP2.resolve(RootSupport.PREFIX).resolve(name);
        try {
            Files.createDirectories(dir);
            return new TestCgroup(dir, Cgroups.current(RootSupport.CGROUP2));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cgroup " + dir, e);
        }
    }

    public Path path() {
        return dir;
    }

    /** Moves this whole JVM into the cgroup: sockets made from now on belong to it. */
    public TestCgroup enter() {
        joined = Cgroups.join(dir, original);
        return this;
    }

    /** Moves the JVM back where it was. */
    public void leave() {
        if (joined != null) joined.close();
    }

    @Override
    public void close() {
        leave();
        RootSupport.removeCgroupTree(dir);
    }
}
