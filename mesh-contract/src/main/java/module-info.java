/** The contract suite: scenarios written once, run against every backend through a {@link io.nodemesh.contract.ContractHarness}. */
module io.nodemesh.contract {
    requires transitive io.nodemesh.api;
    requires org.slf4j;
    requires org.junit.jupiter.api;
    requires org.assertj.core;
    requires transitive net.jqwik.api; // io.nodemesh.contract.gen returns Arbitrary

    exports io.nodemesh.contract;
    exports io.nodemesh.contract.gen;
}
