package io.nodemesh.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {
    @ParameterizedTest
    @CsvSource({
        "10.0.0.1, 10.0.0.1",
        "010.0.0.01, 10.0.0.1",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "::ffff:10.0.0.1, 10.0.0.1",
        "FD00:0:0::1, fd00:0:0:0:0:0:0:1",
    })
    void canonicalSpellingIsUnique(String literal, String canonical) {
        assertThat(IpAddresses.isValid(literal)).isTrue();
        assertThat(IpAddresses.canonical(literal)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "1.2.3",
                "1.2.3.4.",
                ".1.2.3.4",
                "1..2.3",
                "256.1.1.1",
                "1.2.3.1000",
                "1.2.3.-4",
                "a.b.c.d",
                "example.com",
                "1.2.3.4/8",
                "::g",
                " 1.2.3.4"
            })
    void rejectsWhatIsNotAnAddress(String literal) {
        assertThat(IpAddresses.isValid(literal)).isFalse();
        assertThat(IpAddresses.parse(literal)).isEmpty();
        assertThat(IpAddresses.canonical(literal)).isEqualTo(literal);
    }
}
