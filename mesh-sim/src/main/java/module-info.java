/**
 * The simulator backend ({@code sim}): the reference semantics of nodemesh in pure Java — simulated nodes whose kernels
 * have the eBPF backend's hooks, a virtual clock and seeded choices, so every run is repeatable. No root, no native code.
 */
module io.nodemesh.sim {
    requires transitive io.nodemesh.api;
    requires org.slf4j;

    exports io.nodemesh.sim;

    provides io.nodemesh.api.spi.DataplaneProvider with
            io.nodemesh.sim.internal.SimDataplaneProvider;
}
