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
        providers().forEach((name, p) -> result.put(name, p.availability()));
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
                    + (providers.isEmpty() ? "none (is a backend module on the path?)" : String.join(", ", providers.keySet())));
        }
        if (provider.availability() instanceof Availability.Unavailable(String reason)) {
            throw new BackendUnavailableException("backend '" + name + "' is unavailable: " + reason);
        }
        return provider.open(options);
    }

    /**
     * Opens several backends as one dataplane: each gets the whole state, capabilities are the union, flows are merged,
     * and an apply that fails in one backend is rolled back in those that had taken it.
     */
    public static MeshDataplane compose(List<String> names, DataplaneOptions options) {
        List<MeshDataplane> opened = new ArrayList<>();
        try {
            for (String name : names) opened.add(open(name, options));
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
