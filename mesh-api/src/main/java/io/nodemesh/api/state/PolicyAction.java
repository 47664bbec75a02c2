package io.nodemesh.api.state;

/** What a policy does to the connections it matches. */
public enum PolicyAction {
    ALLOW,
    DENY
}
