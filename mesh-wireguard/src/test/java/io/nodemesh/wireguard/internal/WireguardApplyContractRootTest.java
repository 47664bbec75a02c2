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
 * contract's states is routed but absent, which is fine, as no traffic flows. Each test's device is uninstalled after it.
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
        // The contract's peer node lies on no network here; a route makes it reachable, as the backend checks.
        exec("ip", "-n", topology.nodeNs(1), "route", "add", "10.250.1.0/24", "dev", "eth0");
        options = new DataplaneOptions(NODE, topology.options(1).properties());
        return Dataplanes.open("wireguard", options);
    }

    private static void exec(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
