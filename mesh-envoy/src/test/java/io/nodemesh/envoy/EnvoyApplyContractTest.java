package io.nodemesh.envoy;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.contract.ApplyContract;

/** The apply contract on the node proxy's control plane: its xDS server on an ephemeral loopback port. */
class EnvoyApplyContractTest extends ApplyContract {
    @Override
    protected MeshDataplane open() {
        return new EnvoyDataplane(DataplaneOptions.forNode(NODE).with("envoy.xdsPort", "0"));
    }
}
