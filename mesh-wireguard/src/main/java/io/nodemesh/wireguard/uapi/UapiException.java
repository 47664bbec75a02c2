package io.nodemesh.wireguard.uapi;

import io.nodemesh.api.DataplaneException;

/**
 * The device refused a request or could not be reached.
 *
 * @see #errno() the positive errno the device replied with, or 0 when it was never reached
 */
public final class UapiException extends DataplaneException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String peer;
    private final String field;

    UapiException(String message, int errno, String peer, String field, Throwable cause) {
        super(message, cause);
        this.errno = errno;
        this.peer = peer;
        this.field = field;
    }

    public int errno() {
        return errno;
    }

    /** The peer the failing line was about, or empty for a device field. */
    public String peer() {
        return peer;
    }

    /** The UAPI field that failed, e.g. {@code endpoint} or {@code listen_port}, or empty when it cannot be told. */
    public String field() {
        return field;
    }
}
