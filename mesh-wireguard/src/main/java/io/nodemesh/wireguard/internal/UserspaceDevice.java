package io.nodemesh.wireguard.internal;

import io.nodemesh.api.DataplaneException;
import io.nodemesh.netlab.ChildProcess;
import io.nodemesh.netlab.CommandException;
import io.nodemesh.netlab.Netns;
import io.nodemesh.wireguard.WireguardPrivateKey;
import io.nodemesh.wireguard.WireguardSettings;
import io.nodemesh.wireguard.uapi.DeviceUpdate;
import io.nodemesh.wireguard.uapi.UapiClient;
import io.nodemesh.wireguard.uapi.UapiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One wireguard-go process and the interface it owns, inside the node's namespace. Started in the foreground as our
 * child, so it cannot outlive a close; close stops it and removes whatever it left (link, socket).
 * <p>
 * This kernel has no WireGuard module; a kernel-netlink device would be configured through the same UAPI-shaped
 * updates, but is not implemented or tested here.
 */
final class UserspaceDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UserspaceDevice.class);

    /**
     * wireguard-go's own log level; {@code verbose} (system property {@code nodemesh.wireguard.logLevel} or environment
     * variable {@code NODEMESH_WIREGUARD_LOG_LEVEL}) keeps its log file after close, for diagnosis.
     */
    private static final String LOG_LEVEL = System.getProperty(
            "nodemesh.wireguard.logLevel", System.getenv().getOrDefault("NODEMESH_WIREGUARD_LOG_LEVEL", "error"));

    private final WireguardSettings settings;
    private final Netns host;
    private final ChildProcess process;
    private final Path log;
    private final UapiClient uapi;

    private UserspaceDevice(WireguardSettings settings, Netns host, ChildProcess process, Path log, UapiClient uapi) {
        this.settings = settings;
        this.host = host;
        this.process = process;
        this.log = log;
        this.uapi = uapi;
    }

    /** Starts wireguard-go, waits for its UAPI socket, sets key and port, then MTU, address and link up. */
    static UserspaceDevice start(WireguardSettings settings, Netns host, WireguardPrivateKey key) {
        UapiClient uapi = UapiClient.forInterface(settings.iface());
        refuseIfInUse(settings, host, uapi);
        Path log;
        ChildProcess process;
        try {
            log = Files.createTempFile("nodemesh-" + settings.iface() + "-", ".log");
            ProcessBuilder pb = new ProcessBuilder(host.wrap(List.of(settings.binary(), "-f", settings.iface())))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("LOG_LEVEL", LOG_LEVEL);
            pb.environment().put("WG_PROCESS_FOREGROUND", "1");
            process = ChildProcess.start(settings.binary() + " for " + settings.iface(), pb);
        } catch (IOException | CommandException e) {
            throw new DataplaneException(
                    "cannot start " + settings.binary() + " for " + settings.iface() + ": " + e.getMessage(), e);
        }
        UserspaceDevice device = new UserspaceDevice(settings, host, process, log, uapi);
        try {
            device.awaitSocket();
            uapi.set(new DeviceUpdate(Optional.of(key), OptionalInt.of(settings.listenPort()), true, List.of()));
            host.ipChecked("link", "set", "dev", settings.iface(), "mtu", Integer.toString(settings.mtu()));
            settings.address().ifPresent(a -> host.ipChecked("address", "replace", a, "dev", settings.iface()));
            host.ipChecked("link", "set", "dev", settings.iface(), "up");
            return device;
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
    }

    UapiClient uapi() {
        return uapi;
    }

    long pid() {
        return process.pid();
    }

    private static void refuseIfInUse(WireguardSettings settings, Netns host, UapiClient uapi) {
        if (Files.exists(uapi.socket())) {
            try {
                uapi.get();
                throw new DataplaneException("interface " + settings.iface()
                        + " is already served by a running WireGuard device (" + uapi.socket() + "); pick another "
                        + WireguardSettings.INTERFACE.key() + " or stop that one");
            } catch (UapiException stale) {
                deleteQuietly(uapi.socket()); // left by a process that died: nothing listens on it
            }
        }
        if (host.ip("link", "show", "dev", settings.iface()).ok()) {
            throw new DataplaneException("interface " + settings.iface() + " already exists"
                    + (host.isRoot() ? "" : " in netns " + host.name()) + "; remove it or pick another "
                    + WireguardSettings.INTERFACE.key());
        }
    }

    private void awaitSocket() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (!process.isAlive()) {
                throw new DataplaneException(settings.binary() + " for " + settings.iface() + " exited with "
                        + process.process().exitValue() + " before opening its UAPI socket: " + logTail());
            }
            if (Files.exists(uapi.socket())) {
                try {
                    uapi.get();
                    return;
                } catch (UapiException notYet) {
                    // socket file made, listener not ready yet
                }
            }
            if (System.nanoTime() > deadline) {
                throw new DataplaneException(
                        settings.binary() + " did not open " + uapi.socket() + " within 10 s: " + logTail());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataplaneException("interrupted while starting " + settings.iface(), e);
            }
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Stops the process (SIGTERM, then SIGKILL), then removes a link or socket it left behind. */
    @Override
    public void close() {
        process.close();
        if (host.ip("link", "show", "dev", settings.iface()).ok()) {
            var r = host.ip("link", "del", "dev", settings.iface());
            if (!r.ok())
                LOG.warn(
                        "could not delete interface {}: {}",
                        settings.iface(),
                        r.stderr().strip());
        }
        deleteQuietly(uapi.socket());
        if (LOG_LEVEL.equals("error")) deleteQuietly(log);
        else LOG.info("wireguard-go log of {} kept at {}", settings.iface(), log);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", p, e.getMessage());
        }
    }
}
