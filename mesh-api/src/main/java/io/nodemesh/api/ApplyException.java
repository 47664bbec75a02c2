package io.nodemesh.api;

/** Programming a valid state failed in the backend; the backend rolled back and the previous state keeps serving. */
public final class ApplyException extends DataplaneException {
    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
