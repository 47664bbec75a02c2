/**
 * The nodemesh node agent: {@link io.nodemesh.agent.AgentCommand} (the {@code nodemesh agent} subcommand, also run on
 * its own by {@link io.nodemesh.agent.AgentMain}) composes a node's backends, follows a state file or the Kubernetes API
 * server, and serves health, readiness, metrics and flows over HTTP.
 */
module io.nodemesh.agent {
    requires io.nodemesh.api;
    requires io.nodemesh.config;
    requires io.nodemesh.ebpf; // --uninstall removes the eBPF pins
    requires io.nodemesh.wireguard; // the agent publishes the wireguard backend's public key
    requires io.nodemesh.envoy; // nodemesh bootstrap and nodemesh ca
    // Only for --source kubernetes; absent, that source says what is missing instead of failing to start.
    requires static io.nodemesh.kubernetes;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires jdk.httpserver;
    requires java.net.http; // the operator commands ask a running agent
    requires com.fasterxml.jackson.databind; // /status and the flow stream as JSON
    requires info.picocli;
    requires org.slf4j;

    exports io.nodemesh.agent;
    exports io.nodemesh.agent.health;

    opens io.nodemesh.agent to
            info.picocli;
    opens io.nodemesh.agent.http to
            com.fasterxml.jackson.databind;
}
