package io.nodemesh.api;

/** Base of the exceptions nodemesh throws. */
public class DataplaneException extends RuntimeException {
    public DataplaneException(String message) {
        super(message);
    }

    public DataplaneException(String message, Throwable cause) {
        super(message, cause);
    }
}
