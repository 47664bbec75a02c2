package io.nodemesh.planner.calibration;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a command inside a cgroup-v2 directory: a shell writes its own pid to {@code cgroup.procs}, then execs the
 * command, so the command (same pid) and its sockets belong to the cgroup from the start — a listener must, as an
 * accepted socket takes its listener's cgroup. The shell must run before {@code ip netns exec}, which remounts /sys
 * and so hides the cgroup tree.
 */
final class InCgroup {
    private InCgroup() {}

    static List<String> wrap(Path cgroup, List<String> argv) {
        if (cgroup == null) return argv;
        List<String> cmd =
                new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup.toString()));
        cmd.addAll(argv);
        return cmd;
    }
}
