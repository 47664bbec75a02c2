package io.nodemesh.envoy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** CPU time of this process's threads by name (digits dropped), from /proc: where a phase's CPU went, JIT and GC included. */
final class ThreadCpu {
    private ThreadCpu() {}

    static Map<String, Long> byGroup() {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[0-9]+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
                    out.merge(name, ticks * 10, Long::sum); // 100 ticks per second
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** Nanoseconds the calling thread has run on a CPU (the scheduler's own count, finer than ticks). */
    static long current() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/schedstat"));
            return Long.parseLong(stat.substring(0, stat.indexOf(' ')));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read /proc/thread-self/schedstat", e);
        }
    }

    static Map<String, Long> since(Map<String, Long> before) {
        Map<String, Long> now = byGroup();
        Map<String, Long> out = new TreeMap<>();
        now.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d > 0) out.put(k, d);
        });
        return out;
    }
}
