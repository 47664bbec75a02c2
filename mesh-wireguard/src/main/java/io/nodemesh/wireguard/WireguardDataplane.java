package io.nodemesh.wireguard;

import io.nodemesh.api.MeshDataplane;
import io.nodemesh.wireguard.uapi.DeviceState;

/**
 * The {@code wireguard} backend as {@code Dataplanes.open("wireguard", options)} returns it: a {@link MeshDataplane}
 * that keeps one node's WireGuard peers in step with the mesh state, plus what only this backend has.
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
}
