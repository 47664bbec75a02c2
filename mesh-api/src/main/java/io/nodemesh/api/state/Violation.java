package io.nodemesh.api.state;

import java.util.Objects;

/**
 * One thing wrong with a {@link MeshState}: where it is and why it is wrong.
 *
 * @param path   the offending field, e.g. {@code services[shop/frontend].ports[0].port}
 * @param reason what is wrong with it, e.g. {@code 0 is outside 1..65535}
 */
public record Violation(String path, String reason) {
    public Violation {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return path + ": " + reason;
    }
}
