package io.nodemesh.wireguard.internal;

import io.nodemesh.api.BackendUnavailableException;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneException;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.Option;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.spi.DataplaneProvider;
import io.nodemesh.wireguard.WireguardSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The {@code wireguard} backend: node-to-node encryption through userspace wireguard-go. */
public final class WireguardProvider implements DataplaneProvider {
    static final String NAME = "wireguard";
    static final Set<Capability> CAPABILITIES = Set.of(Capability.NODE_ENCRYPTION, Capability.FLOWS);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Option<?>> options() {
        return WireguardSettings.OPTIONS;
    }

    @Override
    public Availability availability(DataplaneOptions options) {
        String binary;
        try {
            binary = options.get(WireguardSettings.BINARY);
        } catch (IllegalArgumentException e) {
            return Availability.unavailable(e.getMessage());
        }
        if (!System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .contains("linux")) {
            return Availability.unavailable("needs Linux (TUN devices, ip, nftables)");
        }
        Boolean root = isRoot();
        if (root == null)
            return Availability.unknown("cannot read /proc/self/status to tell whether this process is root");
        if (!root)
            return Availability.unavailable("needs root (CAP_NET_ADMIN) to create the WireGuard interface and routes");
        if (!Files.exists(Path.of("/dev/net/tun")))
            return Availability.unavailable("needs /dev/net/tun: wireguard-go runs over a TUN device");
        if (!onPath(binary)) {
            return Availability.unavailable(binary + " not found"
                    + (binary.equals("wireguard-go")
                            ? " (apt-get install wireguard-go)"
                            : " (option " + WireguardSettings.BINARY.key() + ")"));
        }
        if (!onPath("ip")) return Availability.unavailable("ip not found (apt-get install iproute2)");
        return Availability.AVAILABLE;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public MeshDataplane open(DataplaneOptions options) {
        if (availability(options) instanceof Availability.Unavailable(String reason)) {
            throw new BackendUnavailableException("wireguard backend unavailable: " + reason);
        }
        WireguardSettings settings;
        try {
            settings = WireguardSettings.from(options);
        } catch (IllegalArgumentException e) {
            throw new DataplaneException("wireguard backend: " + e.getMessage(), e);
        }
        return UserspaceWireguardDataplane.open(settings, onPath("nft"));
    }

    /** Whether the effective uid is 0; null when it cannot be told. */
    static Boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status"))
                    .lines()
                    .filter(l -> l.startsWith("Uid:"))
                    .findFirst()
                    .map(l -> l.split("\\s+")[2].equals("0"))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    static boolean onPath(String binary) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/sbin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) return true;
        }
        return false;
    }
}
