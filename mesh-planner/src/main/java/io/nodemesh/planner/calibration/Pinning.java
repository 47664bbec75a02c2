package io.nodemesh.planner.calibration;

import java.util.ArrayList;
import java.util.List;

/** {@code taskset -c cpu args…}: every process of a measurement shares one CPU (see DESIGN.md). */
final class Pinning {
    private Pinning() {}

    static List<String> onCpu(int cpu, String... args) {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu)));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
