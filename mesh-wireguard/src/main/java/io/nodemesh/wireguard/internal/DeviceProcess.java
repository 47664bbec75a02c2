package io.nodemesh.wireguard.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds the wireguard-go process that serves an interface, without being its parent: first the pid file written when
 * it was started, checked against the process's command line (a pid can be reused), then a scan for
 * {@code <binary> -f <interface>}.
 */
final class DeviceProcess {
    private DeviceProcess() {}

    static Optional<ProcessHandle> find(String binary, String iface, RuntimeFiles files) {
        Optional<ProcessHandle> fromFile =
                readPid(files.pidFile()).flatMap(ProcessHandle::of).filter(p -> serves(p, binary, iface));
        if (fromFile.isPresent()) return fromFile;
        return ProcessHandle.allProcesses()
                .filter(p -> serves(p, binary, iface))
                .findFirst();
    }

    static boolean serves(ProcessHandle p, String binary, String iface) {
        if (!p.isAlive()) return false;
        String name = Path.of(binary).getFileName().toString();
        boolean command = p.info()
                .command()
                .map(c -> c.endsWith("/" + name) || c.equals(name))
                .orElse(false);
        List<String> args = p.info().arguments().map(List::of).orElse(List.of());
        return command && args.equals(List.of("-f", iface));
    }

    static void writePid(RuntimeFiles files, long pid) {
        try {
            Files.createDirectories(files.dir());
            Files.writeString(files.pidFile(), pid + "\n");
        } catch (IOException e) {
            // only a hint for the next agent: it also finds the process by its command line
        }
    }

    private static Optional<Long> readPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
