package io.nodemesh.contract;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Gates for privileged tests (root, kernel features, binaries). A missing requirement skips the test with a printed
 * reason — unless the run demands privileged tests ({@code -Dnodemesh.requirePrivileged=true}, as CI does), in which
 * case it fails, so CI can never go green by skipping them.
 * <p>
 * Privileged test classes are named {@code *RootTest}; the test script counts how many of them ran and skipped.
 */
public final class Privileges {
    private Privileges() {}

    /** Skips (or fails under CI) unless running as root. */
    public static void requireRoot() {
        require(isRoot(), "needs root (run the tests as root: sudo scripts/test)");
    }

    /** Skips (or fails under CI) unless {@code condition} holds; {@code reason} says what is missing. */
    public static void require(boolean condition, String reason) {
        if (condition) return;
        if (Boolean.getBoolean("nodemesh.requirePrivileged")) {
            Assertions.fail("privileged test cannot run: " + reason + " (nodemesh.requirePrivileged=true)");
        }
        System.out.println("SKIPPED privileged test: " + reason);
        Assumptions.abort(reason);
    }

    /** Skips (or fails under CI) unless {@code binary} is on the PATH. */
    public static void requireBinary(String binary, String debianPackage) {
        require(onPath(binary), binary + " not found (apt-get install " + debianPackage + ")");
    }

    public static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status"))
                    .lines()
                    .filter(l -> l.startsWith("Uid:"))
                    .findFirst()
                    .map(l -> l.split("\\s+")[2].equals("0"))
                    .orElse(false);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    public static boolean onPath(String binary) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) return true;
        }
        return false;
    }
}
