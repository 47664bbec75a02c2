package io.nodemesh.api.state;

import java.time.Duration;

/**
 * Timeouts of connections to a service's endpoints. Zero keeps the dataplane's default (Envoy: 5 s to connect, one
 * hour idle).
 *
 * @param connect how long opening a connection to an endpoint may take
 * @param idle    how long a connection may carry nothing before it is closed
 */
public record ConnectionTimeouts(Duration connect, Duration idle) {
    public static final ConnectionTimeouts DEFAULT = new ConnectionTimeouts(Duration.ZERO, Duration.ZERO);

    public ConnectionTimeouts {
        connect = connect == null ? Duration.ZERO : connect;
        idle = idle == null ? Duration.ZERO : idle;
    }
}
