package io.nodemesh.agent;

import picocli.CommandLine;

/**
 * The agent on its own, as the image runs it: {@code java -m io.nodemesh.agent} (or this class on the class path) takes
 * the same flags as {@code nodemesh agent}.
 */
public final class AgentMain {
    private AgentMain() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentCommand()).execute(args));
    }
}
