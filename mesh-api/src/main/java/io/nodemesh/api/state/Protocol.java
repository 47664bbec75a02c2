package io.nodemesh.api.state;

/** Transport protocol of a service port. */
public enum Protocol {
    TCP,
    UDP
}
