package io.nodemesh.envoy.internal.ca;

/** A CA file that is missing, unreadable, malformed, mismatched or too open; the message names the file. */
public final class CaFileException extends RuntimeException {
    public CaFileException(String message) {
        super(message);
    }
}
