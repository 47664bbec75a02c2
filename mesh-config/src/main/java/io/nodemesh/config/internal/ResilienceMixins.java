package io.nodemesh.config.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.nodemesh.api.state.ConnectionTimeouts;
import io.nodemesh.api.state.HttpHealthCheck;
import io.nodemesh.api.state.Locality;
import io.nodemesh.api.state.Resilience;
import io.nodemesh.api.state.TcpHealthCheck;

/**
 * Jackson annotations for the resilience records, which mesh-api cannot carry (it depends on nothing): a health check
 * names its kind with {@code type: tcp|http}, and a service or resilience at its default is left out when written, so
 * files of services without resilience (or locality) read and write as before.
 */
public final class ResilienceMixins {
    private ResilienceMixins() {}

    /** What a health check with a missing or unknown {@code type} is told (filters have {@link RouteMixins#typeProblem}). */
    static String typeProblem(String id) {
        return id == null || id.isEmpty()
                ? "a health check needs 'type: tcp' or 'type: http'"
                : "'" + id + "' is not a health check type (expected one of: http, tcp)";
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = TcpHealthCheck.class, name = "tcp"),
        @JsonSubTypes.Type(value = HttpHealthCheck.class, name = "http")
    })
    interface HealthCheckTypes {}

    abstract static class ServiceWithoutDefaultResilience {
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = NoResilience.class)
        abstract Resilience resilience();

        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = AnyLocality.class)
        abstract Locality locality();
    }

    abstract static class ResilienceWithoutDefaults {
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = DefaultTimeouts.class)
        abstract ConnectionTimeouts timeouts();
    }

    /** Jackson's value filter: {@code equals} true means "leave it out". */
    public static final class NoResilience {
        public NoResilience() {}

        @Override
        public boolean equals(Object value) {
            return value == null || Resilience.NONE.equals(value);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    public static final class AnyLocality {
        public AnyLocality() {}

        @Override
        public boolean equals(Object value) {
            return value == null || value == Locality.ANY;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    public static final class DefaultTimeouts {
        public DefaultTimeouts() {}

        @Override
        public boolean equals(Object value) {
            return value == null || ConnectionTimeouts.DEFAULT.equals(value);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
