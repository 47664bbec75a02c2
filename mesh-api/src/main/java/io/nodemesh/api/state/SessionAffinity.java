package io.nodemesh.api.state;

import java.time.Duration;

/**
 * Client-IP session affinity: connections from one client address go to the same backend until it has been idle for
 * {@code timeout}. A zero timeout means no affinity.
 */
public record SessionAffinity(Duration timeout) {
    public static final SessionAffinity NONE = new SessionAffinity(Duration.ZERO);

    public SessionAffinity {
        timeout = timeout == null ? Duration.ZERO : timeout;
    }

    public static SessionAffinity clientIp(Duration timeout) {
        return new SessionAffinity(timeout);
    }

    public boolean enabled() {
        return timeout.isPositive();
    }
}
