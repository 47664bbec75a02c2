package io.nodemesh.api.state;

/**
 * A probe that sends {@code GET path} and passes when the status is in {@code expected}. The port must carry HTTP:
 * its {@link AppProtocol} is HTTP, HTTP/2 or gRPC, or the service is {@link ServiceLayer#L7}.
 *
 * @param port     the service port whose target port is probed, 0 for the first TCP port
 * @param path     the request path, starting with {@code /}
 * @param expected the statuses that count as healthy
 * @param schedule interval, timeout and thresholds
 */
public record HttpHealthCheck(int port, String path, StatusRange expected, HealthCheckSchedule schedule)
        implements HealthCheck {
    public HttpHealthCheck {
        path = path == null ? "/" : path;
        expected = expected == null ? StatusRange.SUCCESS : expected;
        schedule = schedule == null ? HealthCheckSchedule.DEFAULT : schedule;
    }

    /**
     * HTTP statuses from {@code min} to {@code max}, both included.
     *
     * @param min lowest status that passes, 100..599
     * @param max highest status that passes, {@code min}..599
     */
    public record StatusRange(int min, int max) {
        /** 200..299. */
        public static final StatusRange SUCCESS = new StatusRange(200, 299);

        public boolean contains(int status) {
            return status >= min && status <= max;
        }
    }
}
