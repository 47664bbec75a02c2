package io.nodemesh.config.internal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.nodemesh.api.state.RequestHeaderModifier;
import io.nodemesh.api.state.RequestRedirect;
import io.nodemesh.api.state.ResponseHeaderModifier;

/**
 * Jackson annotations for a route rule's filters, which mesh-api cannot carry: a filter names its kind with
 * {@code type:}, spelt as Gateway API's filter types are in camel case.
 */
final class RouteMixins {
    static final String KINDS = "requestHeaderModifier, requestRedirect, responseHeaderModifier";

    private RouteMixins() {}

    static String typeProblem(String id) {
        return id == null || id.isEmpty()
                ? "a filter needs a type (one of: " + KINDS + ")"
                : "'" + id + "' is not a filter type (expected one of: " + KINDS + ")";
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = RequestHeaderModifier.class, name = "requestHeaderModifier"),
        @JsonSubTypes.Type(value = ResponseHeaderModifier.class, name = "responseHeaderModifier"),
        @JsonSubTypes.Type(value = RequestRedirect.class, name = "requestRedirect")
    })
    interface HttpFilterTypes {}
}
