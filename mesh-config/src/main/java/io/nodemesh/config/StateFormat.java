package io.nodemesh.config;

import java.nio.file.Path;
import java.util.Locale;

/** The two spellings of a state file. */
public enum StateFormat {
    YAML,
    JSON;

    /**
     * The format of {@code file}: by extension ({@code .json}, {@code .yaml}/{@code .yml}), else by content (a document
     * that opens with <code>{</code> is JSON, anything else YAML).
     */
    public static StateFormat of(Path file, String content) {
        String name =
                file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) return JSON;
        if (name.endsWith(".yaml") || name.endsWith(".yml")) return YAML;
        return content.strip().startsWith("{") ? JSON : YAML;
    }

    /** The format a file should be written in, by extension; YAML unless it ends in {@code .json}. */
    public static StateFormat forWriting(Path file) {
        String name =
                file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".json") ? JSON : YAML;
    }
}
