package io.nodemesh.api;

/** A backend could not be opened on this machine; the message says what is missing and what to do. */
public final class BackendUnavailableException extends DataplaneException {
    public BackendUnavailableException(String message) {
        super(message);
    }
}
