package io.nodemesh.sim;

import io.nodemesh.api.Verdict;

/** What a simulated connect came to. */
public sealed interface ConnectResult {
    /** The connection is open; {@link SimConnection#backend()} says where it really went. */
    record Connected(SimConnection connection) implements ConnectResult {}

    /**
     * Refused before a byte was sent.
     *
     * @param verdict {@link Verdict#DROPPED_POLICY} (identity policy or strict encryption) or {@link Verdict#NO_BACKEND}
     * @param reason  what refused it, for people
     */
    record Refused(Verdict verdict, String reason) implements ConnectResult {}

    default boolean connected() {
        return this instanceof Connected;
    }

    /** The open connection; throws if the connect was refused. */
    default SimConnection connection() {
        if (this instanceof Connected(SimConnection c)) return c;
        throw new IllegalStateException("connect was refused: " + this);
    }
}
