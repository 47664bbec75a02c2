/** The contract suite: scenarios written once, run against every backend through a {@link io.nodemesh.contract.ContractHarness}. */
module io.nodemesh.contract {
    requires transitive io.nodemesh.api;
    requires org.slf4j;
    requires org.junit.jupiter.api;
    requires net.jqwik.api;

    exports io.nodemesh.contract;
}
