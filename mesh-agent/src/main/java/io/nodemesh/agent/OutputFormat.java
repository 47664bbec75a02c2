package io.nodemesh.agent;

/** {@code --output} of the operator commands: for people, or JSON for scripts. */
public enum OutputFormat {
    text,
    json
}
