package io.nodemesh.envoy;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for something asynchronous (an xDS push reaching a client) to become true. The ceiling is generous and only
 * bounds a broken run; it is never what a test asserts.
 */
final class Eventually {
    private Eventually() {}

    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) return;
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
        throw new AssertionError("never happened: " + what, last);
    }
}
