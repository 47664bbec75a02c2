package io.nodemesh.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed options: values read by type, defaults, and errors that name the key, the text and what was expected. */
class OptionTest {
    private static final Option<Integer> PORT = Option.integer("x.port", 80, 1, 65535, "a port");
    private static final Option<Duration> TIMEOUT = Option.duration("x.timeout", Duration.ofSeconds(5), "a timeout");
    private static final Option<Boolean> ON = Option.bool("x.on", true, "a switch");
    private static final List<Option<?>> KNOWN = List.of(PORT, TIMEOUT, ON);

    @Test
    void valuesAreReadByTypeAndDefaultWhenUnset() {
        var options = new DataplaneOptions("n1", Map.of("x.port", " 8080 ", "x.timeout", "250ms"));
        assertThat(options.get(PORT)).isEqualTo(8080);
        assertThat(options.get(TIMEOUT)).isEqualTo(Duration.ofMillis(250));
        assertThat(options.get(ON)).isTrue();
        assertThat(options.withValue(ON, false).get(ON)).isFalse();
        assertThat(TIMEOUT.parse("PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThat(TIMEOUT.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Option.list("x.list", "").parse("a, b,,c")).containsExactly("a", "b", "c");
    }

    @Test
    void aBadValueNamesTheKeyTheTextAndTheType() {
        assertThatThrownBy(() -> PORT.parse("99999"))
                .hasMessage("option x.port: '99999' is not an integer in [1, 65535]");
        assertThatThrownBy(() -> TIMEOUT.parse("soon"))
                .hasMessageStartingWith("option x.timeout: 'soon' is not a duration");
        assertThatThrownBy(() -> ON.parse("maybe")).hasMessage("option x.on: 'maybe' is not true or false");
    }

    @Test
    void unknownKeysAreRejectedWithTheKnownOnesAndEveryProblemIsListed() {
        var options = new DataplaneOptions("n1", Map.of("x.prot", "80", "x.timeout", "soon"));
        assertThatThrownBy(() -> options.requireKnown("backend 'x'", KNOWN))
                .isInstanceOfSatisfying(
                        InvalidOptionsException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "unknown option x.prot for backend 'x'; known: x.on, x.port, x.timeout",
                                        "option x.timeout: 'soon' is not a duration such as 30s"));
        new DataplaneOptions("n1", Map.of("x.port", "81")).requireKnown("backend 'x'", KNOWN); // no exception
    }
}
