package io.nodemesh.examples.lab;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of a lab child process: {@code sh} writes its pid into {@code cgroup} and execs {@code nsenter
 * --net} into the node's namespace, which execs the program. nsenter and not {@code ip netns exec}: the latter mounts
 * a fresh /sys, hiding bpffs and cgroup2 from an agent that needs both.
 */
final class ChildJvm {
    private ChildJvm() {}

    /** {@code argv} run in {@code cgroup} and {@code netns} (a path such as /var/run/netns/x). */
    static List<String> inNodeAndCgroup(Path netns, Path cgroup, List<String> argv) {
        List<String> cmd = new ArrayList<>(List.of(
                "sh",
                "-c",
                "echo $$ > \"$0\" && exec \"$@\"",
                cgroup.resolve("cgroup.procs").toString()));
        cmd.addAll(List.of("nsenter", "--net=" + netns));
        cmd.addAll(argv);
        return cmd;
    }

    /**
     * {@code java … mainClass args} on this JVM's own class path and module path, as one class path; serial GC, as
     * several of these share two CPUs.
     */
    static List<String> java(String mainClass, List<String> jvmFlags, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC"));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", classPath(), mainClass));
        cmd.addAll(args);
        return cmd;
    }

    static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String prop : List.of("jdk.module.path", "java.class.path")) {
            for (String e : System.getProperty(prop, "").split(File.pathSeparator)) if (!e.isBlank()) entries.add(e);
        }
        return String.join(File.pathSeparator, entries);
    }
}
