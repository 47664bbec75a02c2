package io.nodemesh.agent;

import picocli.CommandLine;

/**
 * {@code nodemesh bootstrap} on its own, for the agent image's init container that writes the node Envoy's bootstrap
 * into a volume the Envoy container shares (deploy/daemonset.yaml).
 */
public final class BootstrapMain {
    private BootstrapMain() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new BootstrapCommand()).execute(args));
    }
}
