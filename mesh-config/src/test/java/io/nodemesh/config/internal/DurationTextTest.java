package io.nodemesh.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {
    @ParameterizedTest
    @CsvSource({
        "30s, PT30S",
        "250ms, PT0.25S",
        "2m, PT2M",
        "1h30m, PT1H30M",
        "1.5s, PT1.5S",
        "0, PT0S",
        "0s, PT0S",
        "PT30S, PT30S",
        "pt2m, PT2M",
        "-5s, PT-5S",
        "10us, PT0.00001S",
        "7ns, PT0.000000007S",
        "90s, PT1M30S"
    })
    void parses(String text, String iso) {
        assertThat(DurationText.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @CsvSource({
        "PT30S, 30s",
        "PT0.25S, 250ms",
        "PT2M, 2m",
        "PT1M30S, 90s",
        "PT1H, 1h",
        "PT0S, 0s",
        "PT-5S, -5s",
        "PT0.000000007S, 7ns"
    })
    void formats(String iso, String text) {
        assertThat(DurationText.format(Duration.parse(iso))).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "30", "s", "30 s", "30sec", "1.5", "thirty seconds", "P", "PTXS", "1.0000000001s"})
    void rejectsWithTheAcceptedForms(String text) {
        assertThatThrownBy(() -> DurationText.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Property
    void formatThenParseIsIdentity(
            @ForAll @LongRange(min = -4_000_000_000_000_000L, max = 4_000_000_000_000_000L) long nanos) {
        Duration d = Duration.ofNanos(nanos);
        assertThat(DurationText.parse(DurationText.format(d))).isEqualTo(d);
    }
}
