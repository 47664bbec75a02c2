package io.nodemesh.planner.calibration;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether the programs a calibration runs are installed. */
final class Tools {
    private Tools() {}

    /** {@code binary} is an executable on PATH or in the system directories root's PATH may lack. */
    static boolean onPath(String binary) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) return true;
        }
        return false;
    }
}
