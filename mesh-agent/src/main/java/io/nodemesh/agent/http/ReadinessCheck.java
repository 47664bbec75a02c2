package io.nodemesh.agent.http;

import java.util.List;

/** What keeps an agent from being ready, one line each; empty when it is. */
@FunctionalInterface
public interface ReadinessCheck {
    List<String> problems();
}
