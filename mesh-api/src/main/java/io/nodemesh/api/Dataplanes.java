package io.nodemesh.api;

import io.nodemesh.api.internal.CompositeDataplane;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.spi.DataplaneProvider;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds backends and opens dataplanes. */
public final class Dataplanes {
    private static final Logger LOG = LoggerFactory.getLogger(Dataplanes.class);

    private Dataplanes() {}

    /** Every backend on the module or class path, by name, whether or not it can run here. */
    public static Map<String, DataplaneProvider> providers() {
        Map<String, DataplaneProvider> found = new LinkedHashMap<>();
        var iterator = ServiceLoader.load(DataplaneProvider.class).iterator();
        while (true) {
            try {
                if (!iterator.hasNext()) break;
                DataplaneProvider p = iterator.next();
                found.putIfAbsent(p.name(), p);
            } catch (ServiceConfigurationError e) {
                // One broken provider must not hide the others.
                LOG.warn("a dataplane provider failed to load and is skipped: {}", e.getMessage());
            }
        }
        return found;
    }

    /** The availability of every backend found, by name. */
    public static Map<String, Availability> available() {
        Map<String, Availability> result = new LinkedHashMap<>();
        providers().forEach((name, p) -> result.put(name, p.availability(DataplaneOptions.DEFAULTS)));
        return result;
    }

    /**
     * Opens the backend called {@code name}.
     *
     * @throws BackendUnavailableException if there is no such backend, or it cannot run here (the message says why)
     */
    public static MeshDataplane open(String name, DataplaneOptions options) {
        Map<String, DataplaneProvider> providers = providers();
        DataplaneProvider provider = providers.get(name);
        if (provider == null) {
            throw new BackendUnavailableException("no dataplane backend named '" + name + "'; found: "
                    + (providers.isEmpty()
                            ? "none (is a backend module on the path?)"
                            : String.join(", ", providers.keySet())));
        }
        options.requireKnown("backend '" + name + "'", provider.options());
        return openChecked(provider, options);
    }

    private static MeshDataplane openChecked(DataplaneProvider provider, DataplaneOptions options) {
        Availability availability = provider.availability(options);
        if (availability instanceof Availability.Unavailable(String reason)) {
            throw new BackendUnavailableException("backend '" + provider.name() + "' is unavailable: " + reason);
        }
        try {
            return provider.open(options);
        } catch (RuntimeException e) {
            // The probe could not tell; the failure to open is the answer, with what stopped the probe.
            if (availability instanceof Availability.Unknown(String cause))
                e.addSuppressed(new IllegalStateException(
                        "availability of backend '" + provider.name() + "' was unknown: " + cause));
            throw e;
        }
    }

    /**
     * Opens several backends as one dataplane: each gets the whole state, capabilities are the union, flows are merged,
     * and an apply that fails in one backend is rolled back in those that had taken it.
     */
    public static MeshDataplane compose(List<String> names, DataplaneOptions options) {
        Map<String, DataplaneProvider> providers = providers();
        List<DataplaneProvider> chosen = new ArrayList<>();
        List<Option<?>> known = new ArrayList<>();
        for (String name : names) {
            DataplaneProvider p = providers.get(name);
            if (p == null) return open(name, options); // throws, naming the backends found
            chosen.add(p);
            known.addAll(p.options());
        }
        // Each backend reads its own keys from the one options value: a key is known when any of them declares it.
        options.requireKnown("backends " + String.join("+", names), known);
        List<MeshDataplane> opened = new ArrayList<>();
        try {
            for (DataplaneProvider p : chosen) opened.add(openChecked(p, options));
        } catch (RuntimeException e) {
            opened.forEach(MeshDataplane::close);
            throw e;
        }
        return compose(opened);
    }

    /** Composes dataplanes that are already open; closing the result closes them. */
    public static MeshDataplane compose(List<MeshDataplane> dataplanes) {
        if (dataplanes.isEmpty()) throw new IllegalArgumentException("compose needs at least one dataplane");
        return dataplanes.size() == 1 ? dataplanes.getFirst() : new CompositeDataplane(dataplanes);
    }

    /** Which of {@code dataplanes} serves each capability: the first that has it. */
    public static Map<Capability, String> assignment(List<MeshDataplane> dataplanes) {
        Map<Capability, String> result = new EnumMap<>(Capability.class);
        for (MeshDataplane dp : dataplanes) {
            dp.capabilities().forEach(c -> result.putIfAbsent(c, dp.name()));
        }
        return result;
    }
}
