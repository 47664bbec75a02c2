package io.nodemesh.planner.calibration;

import io.nodemesh.netlab.Addresses;
import io.nodemesh.netlab.ChildProcess;
import io.nodemesh.netlab.CommandException;
import io.nodemesh.netlab.Links;
import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.VethPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Two "node" namespaces joined by one veth pair (the underlay) and a WireGuard tunnel over it, configured by hand with
 * {@code wg} on a {@code wireguard-go} in each — the same user-space implementation nodemesh's WireGuard backend runs,
 * pinned to the calibration's CPU with the sockperf ends (a wake-up across vCPUs costs ~40 µs on these VMs and would
 * swamp the crossing; {@code nodemesh lab} pins its wireguard-go the same way). A ping-pong over the underlay address and one over the tunnel
 * address differ by exactly what one encrypted crossing costs: {@code wireguard}'s fixed part and slope.
 * {@link #close()} stops both wireguard-go processes (their TUN devices and UAPI sockets go with them) and removes the
 * namespaces.
 */
final class TunnelLab implements AutoCloseable {
    static final String UNDERLAY_A = "10.221.0.1";
    static final String UNDERLAY_B = "10.221.0.2";
    static final String TUNNEL_A = "10.222.0.1";
    static final String TUNNEL_B = "10.222.0.2";
    private static final int LISTEN_PORT = 51820;
    private static final Path UAPI_DIR = Path.of("/var/run/wireguard");

    final String nodeA;
    final String nodeB;
    private final String linkA;
    private final String linkB;
    private final Path workDir;
    private final int cpu;
    private final List<Netns> created = new ArrayList<>();
    private final List<ChildProcess> wireguardGo = new ArrayList<>();

    TunnelLab(String prefix, Path workDir, int cpu) {
        this.nodeA = prefix + "-w1";
        this.nodeB = prefix + "-w2";
        // Interface names are global to wireguard-go's UAPI directory, so they carry the prefix too (≤ 15 bytes).
        this.linkA = prefix + "w1";
        this.linkB = prefix + "w2";
        this.workDir = workDir;
        this.cpu = cpu;
    }

    /** Why no tunnel can be built here, if it cannot: the tools it runs. */
    static Optional<String> unavailability() {
        for (String binary : List.of("wireguard-go", "wg")) {
            if (!Tools.onPath(binary)) {
                return Optional.of(binary + " not found on PATH (Debian: wireguard-go, wireguard-tools)");
            }
        }
        return Optional.empty();
    }

    /** Builds both namespaces, the underlay and the tunnel; on failure removes whatever was made. */
    TunnelLab create() {
        try {
            Netns a = Netns.create(nodeA);
            created.add(a);
            Netns b = Netns.create(nodeB);
            created.add(b);
            VethPair.create(a, "eth0", b, "eth0");
            for (Netns ns : List.of(a, b)) {
                Addresses.add(ns, "eth0", (ns == a ? UNDERLAY_A : UNDERLAY_B) + "/24");
                Links.up(ns, "eth0");
                Links.up(ns, "lo");
            }
            String keyA = privateKey("a");
            String keyB = privateKey("b");
            tunnelEnd(a, linkA, keyA, TUNNEL_A, publicKey(keyB), TUNNEL_B, UNDERLAY_B);
            tunnelEnd(b, linkB, keyB, TUNNEL_B, publicKey(keyA), TUNNEL_A, UNDERLAY_A);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void tunnelEnd(Netns ns, String link, String key, String ip, String peerKey, String peerIp, String peer) {
        startWireguardGo(ns, link);
        Path keyFile = workDir.resolve(link + ".key");
        try {
            Files.writeString(keyFile, "");
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(keyFile, key + "\n");
        } catch (IOException e) {
            throw new CalibrationException("cannot write WireGuard key " + keyFile + ": " + e.getMessage(), e);
        }
        ns.execChecked(
                "wg",
                "set",
                link,
                "private-key",
                keyFile.toString(),
                "listen-port",
                Integer.toString(LISTEN_PORT),
                "peer",
                peerKey,
                "allowed-ips",
                peerIp + "/32",
                "endpoint",
                peer + ":" + LISTEN_PORT);
        Addresses.add(ns, link, ip + "/24");
        Links.up(ns, link);
    }

    /** wireguard-go in the foreground (so stopping the child stops it), once its UAPI socket answers. */
    private void startWireguardGo(Netns ns, String link) {
        ChildProcess p = ChildProcess.start(
                "wireguard-go-" + link,
                new ProcessBuilder(ns.wrap(Pinning.onCpu(cpu, "wireguard-go", "-f", link)))
                        .redirectErrorStream(true)
                        .redirectOutput(workDir.resolve(link + ".log").toFile()));
        wireguardGo.add(p);
        Path socket = UAPI_DIR.resolve(link + ".sock");
        for (int i = 0; i < 100 && p.isAlive(); i++) {
            if (Files.exists(socket) && ns.exec("wg", "show", link).ok()) return;
            sleep(50);
        }
        throw new CalibrationException("wireguard-go for " + link + " in " + ns.name() + " did not start: "
                + readLog(workDir.resolve(link + ".log")));
    }

    private static String privateKey(String which) {
        try {
            return Netns.root().execChecked("wg", "genkey").strip();
        } catch (CommandException e) {
            throw new CalibrationException("wg genkey for tunnel end " + which + ": " + e.getMessage(), e);
        }
    }

    private static String publicKey(String privateKey) {
        return Netns.root()
                .exec(Duration.ofSeconds(10), privateKey + "\n", List.of("wg", "pubkey"))
                .orThrow()
                .strip();
    }

    @Override
    public void close() {
        for (ChildProcess p : wireguardGo.reversed()) p.stop(Duration.ofSeconds(3));
        wireguardGo.clear();
        for (Netns ns : created.reversed()) ns.close();
        created.clear();
        for (String link : List.of(linkA, linkB)) {
            try {
                Files.deleteIfExists(UAPI_DIR.resolve(link + ".sock")); // left only when wireguard-go was killed
            } catch (IOException e) {
                // nothing listens on it any more; the next run's names differ
            }
        }
    }

    private static String readLog(Path log) {
        try {
            return Files.readString(log).strip();
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CalibrationException("interrupted", e);
        }
    }
}
