package io.nodemesh.sim;

import io.nodemesh.contract.ContractHarness;
import io.nodemesh.contract.DataplaneContract;

/** The contract scenarios on the simulator, which is their reference. */
class SimContractTest extends DataplaneContract {
    @Override
    protected ContractHarness newHarness() {
        return new SimHarness(42);
    }
}
