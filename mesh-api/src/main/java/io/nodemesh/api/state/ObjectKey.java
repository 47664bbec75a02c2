package io.nodemesh.api.state;

import java.util.Objects;

/**
 * The name of a namespaced object — a workload, service, policy or route — written {@code namespace/name}, the form
 * in which objects refer to one another ({@link Endpoint#workload()}, {@link HttpRoute#service()}, {@link Policy#services()}).
 *
 * @param namespace its namespace
 * @param name      its name, unique in the namespace
 */
public record ObjectKey(String namespace, String name) implements Comparable<ObjectKey> {
    public ObjectKey {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    public static ObjectKey of(String namespace, String name) {
        return new ObjectKey(namespace, name);
    }

    /**
     * Reads {@code namespace/name}.
     *
     * @throws IllegalArgumentException naming the text when it has no {@code /}, or an empty side
     */
    public static ObjectKey parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("'" + text + "' is not a namespace/name key");
        }
        return new ObjectKey(text.substring(0, slash), text.substring(slash + 1));
    }

    /** {@code namespace/name}. */
    @Override
    public String toString() {
        return format(namespace, name);
    }

    @Override
    public int compareTo(ObjectKey other) {
        int byNamespace = namespace.compareTo(other.namespace);
        return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
    }

    /** The one place the textual form is made. */
    static String format(String namespace, String name) {
        return namespace + "/" + name;
    }

    /** Whether {@code key} is {@link #format}{@code (namespace, name)}, without building that string. */
    static boolean matches(String key, String namespace, String name) {
        if (namespace == null || name == null) return key.equals(format(namespace, name));
        int ns = namespace.length();
        return key.length() == ns + 1 + name.length()
                && key.charAt(ns) == '/'
                && key.startsWith(namespace)
                && key.endsWith(name);
    }
}
