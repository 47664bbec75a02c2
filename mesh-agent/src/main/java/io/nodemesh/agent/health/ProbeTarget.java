package io.nodemesh.agent.health;

import io.nodemesh.api.state.HealthCheck;

/**
 * One endpoint of one service to probe: {@code ip:port} is the endpoint's target port of the port the check names.
 *
 * @param service the service's key, {@code namespace/name}
 * @param ip      the endpoint's address, canonical
 * @param port    the backend port probed
 * @param check   the service's check (kind, path, schedule)
 */
public record ProbeTarget(String service, String ip, int port, HealthCheck check) {
    /** The endpoint this target decides about, whatever the check: what ejection is keyed by. */
    public EndpointKey endpoint() {
        return new EndpointKey(service, ip);
    }

    /**
     * An endpoint of a service.
     *
     * @param service {@code namespace/name}
     * @param ip      canonical address
     */
    public record EndpointKey(String service, String ip) {}
}
