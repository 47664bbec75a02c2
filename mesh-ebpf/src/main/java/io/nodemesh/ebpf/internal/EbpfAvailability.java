package io.nodemesh.ebpf.internal;

import io.nodemesh.api.spi.Availability;
import io.nodemesh.ebpf.EbpfSettings;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.internal.seam.BpfSeam;
import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Whether the eBPF backend can run here, checked in the order a person would fix things. Changes nothing and never
 * throws: every problem becomes an {@link Availability.Unavailable} with what to do, and a probe that itself fails an
 * {@link Availability.Unknown}. A missing bpffs is not a problem when this process may mount it: opening does.
 */
public final class EbpfAvailability {
    private static final Path SYSTEM_BPFFS = Path.of("/sys/fs/bpf");

    private EbpfAvailability() {}

    public static Availability check(EbpfSettings settings) {
        try {
            return problem(settings).map(Availability::unavailable).orElse(Availability.AVAILABLE);
        } catch (RuntimeException | LinkageError e) {
            return Availability.unknown("the eBPF backend check failed: " + e);
        }
    }

    /**
     * Mounts bpffs at /sys/fs/bpf when the pin root is under it and nothing is mounted there (a fresh machine). Any
     * other place is the operator's: a pin root off bpffs there is reported by the installation, never mounted over.
     *
     * @throws BpfException naming the directory and what to run when the mount fails
     */
    public static void mountBpffsIfMissing(Bpf bpf, EbpfSettings settings) {
        Path bpffs = bpffsDir(settings);
        if (!bpffs.equals(SYSTEM_BPFFS) || onBpffs(bpf, bpffs)) return; // elsewhere a pin root off bpffs is an error
        try {
            Files.createDirectories(bpffs);
            BpfSeam.libbpf(bpf).mountBpffs(bpffs.toString());
        } catch (java.io.IOException | BpfException e) {
            throw new BpfException("bpffs is not mounted at " + bpffs + " and mounting it failed (" + e.getMessage()
                    + "); run: mount -t bpf bpf " + bpffs);
        }
        if (!bpf.isOnBpffs(bpffs))
            throw new BpfException("bpffs is not mounted at " + bpffs + " (mount -t bpf bpf " + bpffs + ")");
    }

    /** Whether {@code dir}, or the nearest ancestor that exists, is on bpffs: then pins can go under it. */
    private static boolean onBpffs(Bpf bpf, Path dir) {
        Path existing = NodeInstallation.nearestExisting(dir);
        return existing != null && bpf.isOnBpffs(existing);
    }

    private static Path bpffsDir(EbpfSettings settings) {
        return settings.pinRoot().getParent() == null
                ? settings.pinRoot()
                : settings.pinRoot().getParent();
    }

    static Optional<String> problem(EbpfSettings settings) {
        for (String object : List.of("service", "redirect", "steering")) {
            if (NodeInstallation.class.getResource("/io/nodemesh/ebpf/bpf/" + object + ".bpf.o") == null) {
                return Optional.of(
                        "the eBPF programs were not built into this jar (" + object + ".bpf.o missing): build "
                                + "nodemesh with clang and libbpf-dev installed (apt-get install clang libbpf-dev)");
            }
        }
        long capabilities = Capabilities.effective();
        if (!Capabilities.canManageBpf(capabilities)) {
            return Optional.of("needs CAP_BPF and CAP_NET_ADMIN, or CAP_SYS_ADMIN (run as root)");
        }
        Optional<String> ffm = Bpf.unavailability();
        if (ffm.isPresent()) return ffm;
        Bpf bpf = Bpf.system();
        Path bpffs = bpffsDir(settings);
        if (!onBpffs(bpf, bpffs)) {
            if (!bpffs.equals(SYSTEM_BPFFS)) {
                return Optional.of("pin root " + settings.pinRoot() + " is not on bpffs (mount -t bpf bpf " + bpffs
                        + ", or set " + EbpfSettings.PIN_ROOT.key() + ")");
            }
            if (!Capabilities.has(capabilities, Capabilities.CAP_SYS_ADMIN)) {
                return Optional.of("bpffs is not mounted at " + bpffs
                        + " and mounting it needs CAP_SYS_ADMIN; run: mount -t bpf bpf " + bpffs);
            }
        }
        if (!Files.isDirectory(settings.cgroupRoot())) {
            return Optional.of("cgroup v2 missing: " + settings.cgroupRoot() + " does not exist (mount -t cgroup2 none "
                    + settings.cgroupRoot() + ", or set ebpf.cgroupRoot)");
        }
        try {
            if (BpfSeam.libbpf(bpf).filesystemType(settings.cgroupRoot().toString()) != Libbpf.CGROUP2_SUPER_MAGIC) {
                return Optional.of("cgroup v2 missing: " + settings.cgroupRoot()
                        + " is not a cgroup2 mount (set ebpf.cgroupRoot)");
            }
        } catch (BpfException e) {
            return Optional.of("cgroup root " + settings.cgroupRoot() + " is not usable: " + e.getMessage());
        }
        return Optional.empty();
    }
}
