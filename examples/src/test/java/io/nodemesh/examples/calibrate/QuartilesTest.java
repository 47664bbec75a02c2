package io.nodemesh.examples.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuartilesTest {
    @Test
    void fiveValuesHaveTheSecondAndFourthAsQuartiles() {
        assertThat(Quartiles.of(List.of(50.0, 1.0, 3.0, 2.0, 4.0))).isEqualTo(new Quartiles(2, 3, 4));
    }

    @Test
    void betweenRanksItInterpolates() {
        Quartiles q = Quartiles.of(List.of(1.0, 2.0, 3.0, 4.0));
        assertThat(q).isEqualTo(new Quartiles(1.75, 2.5, 3.25));
        assertThat(q.iqr()).isEqualTo(1.5);
        assertThat(q.iqrPercentOfMedian()).isEqualTo(60.0);
    }

    @Test
    void oneValueIsItsOwnMedianWithNoSpread() {
        assertThat(Quartiles.of(List.of(7.0))).isEqualTo(new Quartiles(7, 7, 7));
    }

    @Test
    void noValuesIsAnError() {
        assertThatThrownBy(() -> Quartiles.of(List.of())).hasMessage("no values");
    }
}
