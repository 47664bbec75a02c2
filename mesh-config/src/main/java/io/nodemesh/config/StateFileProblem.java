package io.nodemesh.config;

import java.util.Objects;

/**
 * One thing wrong with a state file.
 *
 * @param file   the file, as the user named it
 * @param line   1-based line, or 0 when unknown
 * @param column 1-based column, or 0 when unknown
 * @param path   where in the document, e.g. {@code services[1].ports[0].port} for a parse error or
 *               {@code services[shop/web].ports[0].port} for a validation violation; empty for the document itself
 * @param reason what is wrong
 */
public record StateFileProblem(String file, int line, int column, String path, String reason) {
    public StateFileProblem {
        Objects.requireNonNull(file, "file");
        path = path == null ? "" : path;
        Objects.requireNonNull(reason, "reason");
    }

    /** {@code file:line:column: path: reason}, leaving out what is unknown. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(file);
        if (line > 0) {
            b.append(':').append(line);
            if (column > 0) b.append(':').append(column);
        }
        b.append(": ");
        if (!path.isEmpty()) b.append(path).append(": ");
        return b.append(reason).toString();
    }
}
