package io.nodemesh.wireguard.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for the network to settle: polls a condition, never asserts a duration. */
public final class Await {
    private Await() {}

    /** Polls {@code condition} until it holds or {@code seconds} pass; returns whether it held. */
    public static boolean until(BooleanSupplier condition, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
