package io.nodemesh.wireguard;

import io.nodemesh.api.DataplaneException;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.wireguard.internal.WireguardUninstaller;
import io.nodemesh.wireguard.uapi.DeviceState;

/**
 * The {@code wireguard} backend as {@code Dataplanes.open("wireguard", options)} returns it: a {@link MeshDataplane}
 * that keeps one node's WireGuard peers in step with the mesh state, plus what only this backend has.
 * <p>
 * Lifecycle: {@link #close()} <em>detaches</em>: wireguard-go, its interface, the tunnel routes and the strict-mode
 * table stay in place and keep traffic encrypted. Opening on a node where they exist <em>adopts</em> them: the device
 * is read back and the first {@link #apply} reconciles it with the state, without flushing it. {@link #uninstall}
 * removes it all.
 */
public interface WireguardDataplane extends MeshDataplane {
    /** This node's public key: publish it as the node's {@code wireguardPublicKey} so peers learn it. */
    WireguardKey publicKey();

    /**
     * Replaces this node's key with a new one (stored 0600 atomically, then set on the device) and returns the new
     * public key. Publish it in the next state at once: until the peers have it, new handshakes with this node fail and
     * packets wait in the device's queue (TCP retransmits them), so no request fails if the new state follows promptly.
     */
    WireguardKey rotateKey();

    /** The interface this dataplane manages. */
    String interfaceName();

    /** The device's configuration and per-peer counters, read now. */
    DeviceState device();

    /**
     * Whether open found this node's device already running (left by an earlier dataplane) and adopted it, rather than
     * starting one. Until the first {@link #apply} the device keeps exactly what it had.
     */
    boolean adopted();

    /**
     * Removes everything this backend installed on the node the options name (the
     * wireguard-go process, the interface and its routes, the strict-mode nft table, the UAPI socket, runtime files, and
     * the key file when it is at its default place). Idempotent; close any dataplane open on that node first.
     *
     * @return what was removed, one line each
     * @throws DataplaneException if the options do not name a node and interface
     */
    static UninstallReport uninstall(DataplaneOptions options) {
        WireguardSettings settings;
        try {
            settings = WireguardSettings.from(options);
        } catch (IllegalArgumentException e) {
            throw new DataplaneException("wireguard uninstall: " + e.getMessage(), e);
        }
        return WireguardUninstaller.uninstall(settings);
    }
}
