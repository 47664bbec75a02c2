/**
 * Node-to-node encryption with WireGuard: node keys, a UAPI client, and the {@code wireguard} backend that keeps one
 * node's peers, routes and strict-mode guard in step with the mesh state.
 */
module io.nodemesh.wireguard {
    requires transitive io.nodemesh.api;
    requires org.slf4j;
    requires io.nodemesh.netlab;

    exports io.nodemesh.wireguard;
    exports io.nodemesh.wireguard.uapi;

    provides io.nodemesh.api.spi.DataplaneProvider with
            io.nodemesh.wireguard.internal.WireguardProvider;
}
