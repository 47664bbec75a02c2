package io.nodemesh.api.spi;

/** Whether a backend can run on this machine, and if not, what a person must do about it. */
public sealed interface Availability {
    Available AVAILABLE = new Available();

    static Availability unavailable(String reason) {
        return new Unavailable(reason);
    }

    default boolean isAvailable() {
        return this instanceof Available;
    }

    /** The backend can be opened. */
    record Available() implements Availability {}

    /**
     * The backend cannot be opened here.
     *
     * @param reason what is missing, e.g. "needs CAP_BPF (run as root)" or "libbpf.so.1 not found (apt-get install libbpf1)"
     */
    record Unavailable(String reason) implements Availability {}
}
