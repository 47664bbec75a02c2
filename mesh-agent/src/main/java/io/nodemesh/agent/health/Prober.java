package io.nodemesh.agent.health;

/** Runs one probe; the agent's is {@link SocketProber}. A seam so the ejection logic is tested without a network. */
@FunctionalInterface
public interface Prober {
    /** Whether {@code target} passed; never throws for a failed probe (a failure is false). */
    boolean probe(ProbeTarget target);
}
