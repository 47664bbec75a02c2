package io.nodemesh.wireguard.internal;

import java.nio.file.Path;

/**
 * Where a detached wireguard-go keeps its pid and log, so a later agent (or {@code uninstall}) finds them: under
 * {@code /run}, which is cleared at boot, exactly when the device is gone too.
 */
record RuntimeFiles(Path dir, String iface) {
    static final Path DIR = Path.of("/run/nodemesh/wireguard");

    static RuntimeFiles of(String iface) {
        return new RuntimeFiles(DIR, iface);
    }

    Path pidFile() {
        return dir.resolve(iface + ".pid");
    }

    Path logFile() {
        return dir.resolve(iface + ".log");
    }
}
