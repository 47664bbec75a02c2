/** nodemesh's command line and runnable examples. */
module io.nodemesh.examples {
    requires io.nodemesh.api;
    requires io.nodemesh.config;
    requires io.nodemesh.sim;
    requires io.nodemesh.agent; // the agent subcommand
    requires io.nodemesh.kubernetes; // resolves the agent's optional --source kubernetes
    requires io.nodemesh.planner;
    requires io.nodemesh.ebpf; // calibrate measures the eBPF redirect path
    requires io.nodemesh.wireguard; // lab: node keys, and the uninstaller as a safety net
    requires io.nodemesh.netlab; // lab: namespaces, bridges, veths, namespace threads
    requires jdk.httpserver; // lab: the pods' HTTP servers
    requires info.picocli;
    requires com.fasterxml.jackson.databind; // validate --output json
    requires org.slf4j;

    opens io.nodemesh.examples.cli to
            info.picocli,
            com.fasterxml.jackson.databind;
    opens io.nodemesh.examples.demo to
            info.picocli;
    opens io.nodemesh.examples.calibrate to
            info.picocli;
    opens io.nodemesh.examples.lab to
            info.picocli;
}
