package io.nodemesh.planner.calibration;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * How to calibrate.
 *
 * @param prefix        names every namespace made ({@code <prefix>-node|a|b}); {@code nmp<pid>} by default
 * @param secondsPerRun duration of each sockperf ping-pong
 * @param cpu           the CPU every process is pinned to (a cross-CPU wake-up costs ~40 µs on these VMs)
 * @param smallBytes    message size of the measurements and of the comparison (64, as in DESIGN.md)
 * @param largeBytes    a second size to fit the per-KiB slopes; 0 keeps the base parameters' slopes
 * @param workDir       where HAProxy configs and logs go
 * @param log           progress lines
 */
public record CalibrationOptions(
        String prefix, int secondsPerRun, int cpu, int smallBytes, int largeBytes, Path workDir, Consumer<String> log) {
    public CalibrationOptions {
        if (!prefix.matches("nmp\\d+")) throw new IllegalArgumentException("prefix must be nmp<digits>, got " + prefix);
        if (secondsPerRun < 1) throw new IllegalArgumentException("secondsPerRun must be >= 1, got " + secondsPerRun);
        if (cpu < 0) throw new IllegalArgumentException("cpu must be >= 0, got " + cpu);
        if (smallBytes < 16)
            throw new IllegalArgumentException("smallBytes must be >= 16 (sockperf's minimum), got " + smallBytes);
        if (largeBytes != 0 && largeBytes <= smallBytes) {
            throw new IllegalArgumentException("largeBytes must be 0 or more than smallBytes, got " + largeBytes);
        }
        log = log == null ? s -> {} : log;
    }

    /** Defaults: prefix {@code nmp<pid>}, 3 s per run, CPU 0, 64 and 16384 bytes. */
    public static CalibrationOptions defaults(Path workDir, Consumer<String> log) {
        return new CalibrationOptions("nmp" + ProcessHandle.current().pid(), 3, 0, 64, 16384, workDir, log);
    }
}
