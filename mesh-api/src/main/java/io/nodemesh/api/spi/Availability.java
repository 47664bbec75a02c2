package io.nodemesh.api.spi;

/**
 * Whether a backend can run on this machine with given options — available, unavailable with a reason a person can act
 * on, or unknown because the probe itself could not tell (then opening is attempted, and fails with its own error).
 */
public sealed interface Availability {
    Available AVAILABLE = new Available();

    static Availability unavailable(String reason) {
        return new Unavailable(reason);
    }

    static Availability unknown(String cause) {
        return new Unknown(cause);
    }

    /** True only when the probe is sure the backend can be opened. */
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

    /**
     * The probe could not tell, e.g. a file it reads was unreadable for another reason than absence.
     *
     * @param cause what stopped the probe
     */
    record Unknown(String cause) implements Availability {}
}
