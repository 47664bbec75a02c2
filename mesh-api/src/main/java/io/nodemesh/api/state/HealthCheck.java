package io.nodemesh.api.state;

/**
 * An active health check: the dataplane probes every endpoint of the service on one of its ports and stops sending new
 * connections to an endpoint after {@link HealthCheckSchedule#unhealthyThreshold()} failed probes in a row, until
 * {@link HealthCheckSchedule#healthyThreshold()} probes in a row pass again.
 */
public sealed interface HealthCheck permits TcpHealthCheck, HttpHealthCheck {
    /** The service port (on the VIP) whose target port is probed; 0 for the service's first TCP port. */
    int port();

    /** How often and how patiently it probes, and how many results in a row change an endpoint's health. */
    HealthCheckSchedule schedule();
}
