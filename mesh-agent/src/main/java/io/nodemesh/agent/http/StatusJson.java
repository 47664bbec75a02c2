package io.nodemesh.agent.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** {@link AgentStatus} to and from JSON: the agent writes it on {@code /status}, {@code nodemesh status} reads it. */
public final class StatusJson {
    // Unknown fields are ignored so that an older CLI still reads a newer agent's status.
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private StatusJson() {}

    public static String write(AgentStatus status) {
        try {
            return MAPPER.writeValueAsString(status) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the agent status as JSON", e);
        }
    }

    /** Parses what {@code /status} answered; the message names what was wrong. */
    public static AgentStatus read(String json) {
        try {
            return MAPPER.readValue(json, AgentStatus.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "the agent's /status answer is not a nodemesh status: " + e.getOriginalMessage(), e);
        }
    }
}
