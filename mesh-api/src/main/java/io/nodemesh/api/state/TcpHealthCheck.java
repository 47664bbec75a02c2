package io.nodemesh.api.state;

/**
 * A probe that passes when a TCP connection to the endpoint's target port is accepted within the timeout.
 *
 * @param port     the service port whose target port is probed, 0 for the first TCP port
 * @param schedule interval, timeout and thresholds
 */
public record TcpHealthCheck(int port, HealthCheckSchedule schedule) implements HealthCheck {
    public TcpHealthCheck {
        schedule = schedule == null ? HealthCheckSchedule.DEFAULT : schedule;
    }

    /** A TCP check of the first TCP port on {@link HealthCheckSchedule#DEFAULT}. */
    public static TcpHealthCheck onFirstPort(HealthCheckSchedule schedule) {
        return new TcpHealthCheck(0, schedule);
    }
}
