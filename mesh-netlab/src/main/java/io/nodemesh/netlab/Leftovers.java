package io.nodemesh.netlab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a lab run left behind, for the "nothing left behind" checks of root tests: each method returns one line per
 * leftover (empty when clean), so a test can gather them all and fail once with the whole list.
 */
public final class Leftovers {
    private Leftovers() {}

    /** {@code "netns <name>"} for each of {@code names} that still exists. */
    public static List<String> namespaces(List<String> names) {
        List<String> found = new ArrayList<>();
        for (String name : names) {
            if (Netns.exists(name)) found.add("netns " + name);
        }
        return found;
    }

    /**
     * {@code "process <pid>: <command line>"} for each live process but this JVM whose command line mentions
     * {@code text} — a run's daemons are found by a path they were given (their config or log in the run's work dir).
     */
    public static List<String> processesMentioning(String text) {
        String self = Long.toString(ProcessHandle.current().pid());
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.contains(text) && !p.getFileName().toString().equals(self)) {
                        found.add("process " + p.getFileName() + ": " + cmd.strip());
                    }
                } catch (IOException gone) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            found.add("cannot list /proc: " + e.getMessage());
        }
        return found;
    }
}
