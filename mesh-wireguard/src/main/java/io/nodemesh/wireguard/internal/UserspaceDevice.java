package io.nodemesh.wireguard.internal;

import io.nodemesh.api.DataplaneException;
import io.nodemesh.netlab.Netns;
import io.nodemesh.wireguard.WireguardPrivateKey;
import io.nodemesh.wireguard.WireguardSettings;
import io.nodemesh.wireguard.uapi.DeviceState;
import io.nodemesh.wireguard.uapi.DeviceUpdate;
import io.nodemesh.wireguard.uapi.UapiClient;
import io.nodemesh.wireguard.uapi.UapiException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One wireguard-go process and the interface it owns, inside the node's namespace. The process is started in a session
 * of its own and is not stopped with the dataplane: it keeps encrypting while the agent restarts, and the next agent
 * adopts it through its UAPI socket ({@link #adopt}). Only {@link WireguardUninstaller} stops it.
 * <p>
 * This kernel has no WireGuard module; a kernel-netlink device would be configured through the same UAPI-shaped
 * updates, but is not implemented or tested here.
 */
final class UserspaceDevice {
    private static final Logger LOG = LoggerFactory.getLogger(UserspaceDevice.class);

    /** wireguard-go's own log level (system property {@code nodemesh.wireguard.logLevel} or {@code NODEMESH_WIREGUARD_LOG_LEVEL}). */
    private static final String LOG_LEVEL = System.getProperty(
            "nodemesh.wireguard.logLevel", System.getenv().getOrDefault("NODEMESH_WIREGUARD_LOG_LEVEL", "error"));

    private final UapiClient uapi;
    private final OptionalLong pid;
    private final Optional<DeviceState> adopted;

    private UserspaceDevice(UapiClient uapi, OptionalLong pid, Optional<DeviceState> adopted) {
        this.uapi = uapi;
        this.pid = pid;
        this.adopted = adopted;
    }

    /**
     * The device already serving {@code settings.iface()}, if its UAPI socket answers: read back as it is, with only
     * what never disturbs traffic made to match the settings (listen port, MTU, address, link up). A socket nobody
     * answers on is a dead device's leftover and is removed.
     */
    static Optional<UserspaceDevice> adopt(WireguardSettings settings, Netns host) {
        UapiClient uapi = UapiClient.forInterface(settings.iface());
        if (!Files.exists(uapi.socket())) return Optional.empty();
        DeviceState state;
        try {
            state = uapi.get();
        } catch (UapiException stale) {
            deleteQuietly(uapi.socket());
            return Optional.empty();
        }
        if (!host.ip("link", "show", "dev", settings.iface()).ok()) {
            throw new DataplaneException("interface " + settings.iface() + " is served by a WireGuard device ("
                    + uapi.socket() + ") in another network namespace than "
                    + (host.isRoot() ? "this one" : "netns " + host.name()) + "; stop it or pick another "
                    + WireguardSettings.INTERFACE.key());
        }
        RuntimeFiles files = RuntimeFiles.of(settings.iface());
        OptionalLong pid = DeviceProcess.find(settings.binary(), settings.iface(), files)
                .map(p -> OptionalLong.of(p.pid()))
                .orElse(OptionalLong.empty());
        pid.ifPresent(p -> DeviceProcess.writePid(files, p));
        if (state.listenPort() != settings.listenPort())
            uapi.set(new DeviceUpdate(Optional.empty(), OptionalInt.of(settings.listenPort()), false, List.of()));
        configureLink(settings, host);
        return Optional.of(new UserspaceDevice(uapi, pid, Optional.of(state)));
    }

    /** Starts wireguard-go detached, waits for its UAPI socket, sets key and port, then MTU, address and link up. */
    static UserspaceDevice start(WireguardSettings settings, Netns host, WireguardPrivateKey key) {
        UapiClient uapi = UapiClient.forInterface(settings.iface());
        if (host.ip("link", "show", "dev", settings.iface()).ok()) {
            throw new DataplaneException("interface " + settings.iface() + " already exists"
                    + (host.isRoot() ? "" : " in netns " + host.name())
                    + " and no WireGuard device answers on " + uapi.socket() + "; remove it or pick another "
                    + WireguardSettings.INTERFACE.key());
        }
        RuntimeFiles files = RuntimeFiles.of(settings.iface());
        Process process;
        try {
            Files.createDirectories(files.dir());
            // setsid: its own session, so neither the agent's death nor a signal to the agent's group stops it.
            ProcessBuilder pb = new ProcessBuilder(
                            host.wrap(List.of("setsid", settings.binary(), "-f", settings.iface())))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(
                            ProcessBuilder.Redirect.appendTo(files.logFile().toFile()));
            pb.environment().put("LOG_LEVEL", LOG_LEVEL);
            pb.environment().put("WG_PROCESS_FOREGROUND", "1");
            process = pb.start();
        } catch (IOException e) {
            throw new DataplaneException(
                    "cannot start " + settings.binary() + " for " + settings.iface() + ": " + e.getMessage(), e);
        }
        try {
            awaitSocket(settings, uapi, process, files);
            uapi.set(new DeviceUpdate(Optional.of(key), OptionalInt.of(settings.listenPort()), true, List.of()));
            configureLink(settings, host);
        } catch (RuntimeException e) {
            WireguardUninstaller.removeDevice(settings, new java.util.ArrayList<>()); // no half-started device stays
            throw e;
        }
        OptionalLong pid = DeviceProcess.find(settings.binary(), settings.iface(), files)
                .map(p -> OptionalLong.of(p.pid()))
                .orElse(OptionalLong.of(process.pid()));
        DeviceProcess.writePid(files, pid.getAsLong());
        return new UserspaceDevice(uapi, pid, Optional.empty());
    }

    /** Idempotent, so adoption repeats it without a flap: {@code ip} sets what already is as a no-op. */
    private static void configureLink(WireguardSettings settings, Netns host) {
        host.ipChecked("link", "set", "dev", settings.iface(), "mtu", Integer.toString(settings.mtu()));
        settings.address().ifPresent(a -> host.ipChecked("address", "replace", a, "dev", settings.iface()));
        host.ipChecked("link", "set", "dev", settings.iface(), "up");
    }

    UapiClient uapi() {
        return uapi;
    }

    /** The process's pid, when it could be found (an adopted device started by other means may not show one). */
    OptionalLong pid() {
        return pid;
    }

    /** The device as it was found, when this one was adopted rather than started. */
    Optional<DeviceState> adopted() {
        return adopted;
    }

    private static void awaitSocket(WireguardSettings settings, UapiClient uapi, Process process, RuntimeFiles files) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (Files.exists(uapi.socket())) {
                try {
                    uapi.get();
                    return;
                } catch (UapiException notYet) {
                    // socket file made, listener not ready yet
                }
            }
            if (!process.isAlive() && process.exitValue() != 0) {
                throw new DataplaneException(settings.binary() + " for " + settings.iface() + " exited with "
                        + process.exitValue() + " before opening its UAPI socket: " + logTail(files.logFile()));
            }
            if (System.nanoTime() > deadline) {
                throw new DataplaneException(settings.binary() + " did not open " + uapi.socket() + " within 10 s: "
                        + logTail(files.logFile()));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataplaneException("interrupted while starting " + settings.iface(), e);
            }
        }
    }

    private static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", p, e.getMessage());
        }
    }
}
