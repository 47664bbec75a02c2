package io.nodemesh.sim;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.contract.ApplyContract;

/** The apply contract on the simulator. */
class SimApplyContractTest extends ApplyContract {
    @Override
    protected MeshDataplane open() {
        return Dataplanes.open("sim", DataplaneOptions.forNode(NODE));
    }
}
