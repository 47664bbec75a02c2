package io.nodemesh.wireguard.internal;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.contract.ApplyContract;
import io.nodemesh.contract.Privileges;
import io.nodemesh.wireguard.WireguardDataplane;
import io.nodemesh.wireguard.testing.MeshTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.AfterEach;

/**
 * The apply contract on the WireGuard backend: a real wireguard-go in a node namespace of its own; the peer node of the
 * contract's states is unreachable, which is fine, as no traffic flows. Each test's device is uninstalled after it.
 */
class WireguardApplyContractRootTest extends ApplyContract {
    private MeshTopology topology;
    private DataplaneOptions options;

    @Override
    protected MeshDataplane open() {
        Privileges.requireRoot();
        Privileges.requireBinary("wireguard-go", "wireguard-go");
        try {
            topology = MeshTopology.create(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        options = new DataplaneOptions(NODE, topology.options(1).properties());
        return Dataplanes.open("wireguard", options);
    }

    @AfterEach
    void removeDevice() {
        try {
            if (dataplane() != null) dataplane().close(); // before uninstall; the contract's close is then a no-op
            if (options != null) WireguardDataplane.uninstall(options);
        } finally {
            if (topology != null) topology.close();
        }
    }
}
