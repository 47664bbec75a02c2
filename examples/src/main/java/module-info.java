/** nodemesh's command line and runnable examples. */
module io.nodemesh.examples {
    requires io.nodemesh.api;
    requires io.nodemesh.config;
    requires io.nodemesh.sim;
    requires io.nodemesh.kubernetes;
    requires io.nodemesh.planner;
    requires io.nodemesh.ebpf; // the agent uninstalls eBPF pins on --uninstall
    requires io.nodemesh.wireguard; // the agent publishes the wireguard backend's public key
    requires info.picocli;
    requires org.slf4j;

    opens io.nodemesh.examples.cli to
            info.picocli;
    opens io.nodemesh.examples.demo to
            info.picocli;
    opens io.nodemesh.examples.agent to
            info.picocli;
    opens io.nodemesh.examples.calibrate to
            info.picocli;
}
