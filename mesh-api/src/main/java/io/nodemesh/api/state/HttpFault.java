package io.nodemesh.api.state;

import java.time.Duration;

/**
 * Fault injection for one route rule, for testing how callers cope: a share of requests is held for {@code delay}
 * before it is forwarded, and a share is answered with {@code abortStatus} without reaching any backend. Both act
 * independently (a delayed request may also be aborted), as in Envoy's HTTP fault filter.
 *
 * @param delay        how long a delayed request is held; zero for no delay
 * @param delayPercent share of requests delayed, 0..100
 * @param abortStatus  HTTP status of an aborted request, 200..599 (0 when {@code abortPercent} is 0)
 * @param abortPercent share of requests aborted, 0..100
 */
public record HttpFault(Duration delay, int delayPercent, int abortStatus, int abortPercent) {
    /** No fault: every request goes through untouched. */
    public static final HttpFault NONE = new HttpFault(Duration.ZERO, 0, 0, 0);

    public HttpFault {
        delay = delay == null ? Duration.ZERO : delay;
    }

    /** Delays {@code percent}% of requests by {@code delay}. */
    public static HttpFault delay(Duration delay, int percent) {
        return new HttpFault(delay, percent, 0, 0);
    }

    /** Answers {@code percent}% of requests with {@code status}. */
    public static HttpFault abort(int status, int percent) {
        return new HttpFault(Duration.ZERO, 0, status, percent);
    }

    /** Whether some request is delayed. */
    public boolean delays() {
        return delayPercent > 0 && delay.isPositive();
    }

    /** Whether some request is aborted. */
    public boolean aborts() {
        return abortPercent > 0;
    }

    /** Whether this injects anything at all. */
    public boolean active() {
        return delays() || aborts();
    }
}
