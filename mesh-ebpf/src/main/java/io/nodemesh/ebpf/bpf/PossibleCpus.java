package io.nodemesh.ebpf.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The number of possible CPUs, which sizes per-CPU map values ({@code /sys/devices/system/cpu/possible}, e.g. "0-3"). */
final class PossibleCpus {
    private static volatile int count;

    private PossibleCpus() {}

    static int count() {
        int c = count;
        if (c == 0) count = c = read();
        return c;
    }

    static int parse(String ranges) {
        int max = -1;
        for (String part : ranges.strip().split(",")) {
            String[] bounds = part.split("-");
            max = Math.max(max, Integer.parseInt(bounds[bounds.length - 1].strip()));
        }
        return max + 1;
    }

    private static int read() {
        try {
            return parse(Files.readString(Path.of("/sys/devices/system/cpu/possible")));
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
