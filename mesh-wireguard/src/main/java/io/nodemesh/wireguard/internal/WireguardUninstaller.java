package io.nodemesh.wireguard.internal;

import io.nodemesh.netlab.Netns;
import io.nodemesh.wireguard.UninstallReport;
import io.nodemesh.wireguard.WireguardSettings;
import io.nodemesh.wireguard.uapi.UapiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Removes everything the WireGuard backend leaves on a node when its dataplane closes: the wireguard-go process, its
 * interface (and with it the tunnel routes), the strict-mode table, the UAPI socket and the runtime files. Each step
 * looks first and acts only on what is there, so it is idempotent and reports exactly what it removed.
 */
public final class WireguardUninstaller {
    private WireguardUninstaller() {}

    public static UninstallReport uninstall(WireguardSettings settings) {
        String iface = settings.iface();
        List<String> removed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        boolean nsExists = settings.netns().isEmpty() || Netns.exists(settings.netns());
        Netns host = Netns.named(settings.netns());
        removeDevice(settings, removed);
        if (nsExists
                && WireguardProvider.onPath("nft")
                && host.exec("nft", "list", "table", "inet", StrictModeFirewall.TABLE)
                        .ok()) {
            host.exec("nft", "delete", "table", "inet", StrictModeFirewall.TABLE)
                    .orThrow();
            removed.add("nft table inet " + StrictModeFirewall.TABLE);
        }
        Path defaultKey = WireguardSettings.defaultKeyFile(iface);
        if (settings.keyFile().equals(defaultKey)) {
            if (Files.exists(defaultKey)) {
                UserspaceDevice.deleteQuietly(defaultKey);
                removed.add("key file " + defaultKey);
            }
        } else if (Files.exists(settings.keyFile())) {
            kept.add("key file " + settings.keyFile() + " (configured by " + WireguardSettings.KEY_FILE.key()
                    + ", not ours to delete)");
        }
        return new UninstallReport(settings.node(), iface, removed, kept);
    }

    /**
     * The device alone: process, interface, socket and runtime files, adding a line to {@code removed} for each. Also
     * what a failed start cleans up, which must keep the node's key and its strict-mode guard.
     */
    static void removeDevice(WireguardSettings settings, List<String> removed) {
        String iface = settings.iface();
        RuntimeFiles files = RuntimeFiles.of(iface);
        boolean nsExists = settings.netns().isEmpty() || Netns.exists(settings.netns());
        Netns host = Netns.named(settings.netns());
        DeviceProcess.find(settings.binary(), iface, files).ifPresent(p -> {
            stop(p);
            removed.add(settings.binary() + " process " + p.pid());
        });
        if (nsExists && host.ip("link", "show", "dev", iface).ok()) {
            host.ip("link", "del", "dev", iface);
            removed.add("interface " + iface + " and its routes");
        }
        for (Path p : List.of(UapiClient.forInterface(iface).socket(), files.pidFile(), files.logFile())) {
            if (Files.exists(p)) {
                UserspaceDevice.deleteQuietly(p);
                removed.add("file " + p);
            }
        }
    }

    /** SIGTERM (wireguard-go then removes its interface and socket), SIGKILL after 5 s. */
    private static void stop(ProcessHandle p) {
        p.destroy();
        try {
            p.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by the leftover it leaves: the next uninstall finds it again
            }
        }
    }
}
