package io.nodemesh.ebpf.testing;

import io.nodemesh.contract.ContractHarness;
import io.nodemesh.contract.DataplaneContract;
import io.nodemesh.ebpf.support.RootSupport;
import org.junit.jupiter.api.AfterAll;

/**
 * The contract scenarios the simulator passes, on the real kernel: nodemesh's eBPF programs through
 * {@code EbpfDataplane}, workloads as network-namespace pods with real servers, clients as real sockets.
 */
class EbpfContractRootTest extends DataplaneContract {
    @Override
    protected ContractHarness newHarness() {
        RootSupport.requireBpf();
        return EbpfContractHarness.start();
    }

    @AfterAll
    static void cleanUp() {
        RootSupport.cleanUp();
    }
}
