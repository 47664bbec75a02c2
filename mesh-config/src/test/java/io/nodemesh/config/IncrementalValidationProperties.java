package io.nodemesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.contract.gen.Corruption;
import io.nodemesh.contract.gen.MeshStates;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link MeshState#validate(MeshState)} — the fast path backends use on apply — reports exactly what a full validation
 * reports, for every step of random evolutions and for random corruptions of a valid state. (It lives here because the
 * state generators depend on mesh-api.)
 */
class IncrementalValidationProperties {
    @Property(tries = 200)
    void evolutionsValidateTheSameIncrementally(@ForAll("evolutions") List<MeshState> steps) {
        for (int i = 1; i < steps.size(); i++) {
            assertThat(steps.get(i).validate(steps.get(i - 1)))
                    .isEqualTo(steps.get(i).validate());
        }
    }

    @Property(tries = 500)
    void corruptionsAreFoundIncrementally(@ForAll("corruptions") Corruption corruption) {
        assertThat(corruption.state().validate(corruption.original()))
                .isEqualTo(corruption.state().validate())
                .isNotEmpty();
    }

    @Provide
    Arbitrary<List<MeshState>> evolutions() {
        return MeshStates.evolutions();
    }

    @Provide
    Arbitrary<Corruption> corruptions() {
        return MeshStates.corruptedStates();
    }
}
