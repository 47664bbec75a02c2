package io.nodemesh.envoy;

import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.contract.gen.Corruption;
import io.nodemesh.contract.gen.MeshStates;
import io.nodemesh.envoy.internal.EnvoyValidator;
import io.nodemesh.envoy.internal.MeshResources;
import io.nodemesh.envoy.internal.MeshTranslator;
import io.nodemesh.envoy.internal.ProtoSchemaCheck;
import io.nodemesh.envoy.internal.ca.SpiffeCa;
import io.nodemesh.envoy.internal.ca.WorkloadCertificates;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Over generated states: every valid state becomes schema-valid Envoy resources; a corrupted one never gets through. */
class TranslationPropertiesTest {

    @Provide
    Arbitrary<MeshState> valid() {
        return MeshStates.validStates().filter(s -> EnvoyValidator.validate(s).isEmpty());
    }

    @Provide
    Arbitrary<Corruption> corrupted() {
        return MeshStates.corruptedStates();
    }

    @Property(tries = 60)
    void everyValidStateTranslatesToSchemaValidUniqueResources(@ForAll("valid") MeshState state) {
        MeshTranslator t = new MeshTranslator(15001);
        MeshResources shared = t.shared(state);
        var certs = new WorkloadCertificates(new SpiffeCa(state.encryption().trustDomain(), Duration.ofDays(1), Clock.systemUTC()),
                Duration.ofHours(1), Clock.systemUTC());
        for (Node n : state.nodes()) {
            MeshResources r = t.forNode(state, n.name(), shared, certs);
            assertThat(EnvoyValidator.uniqueNames(r)).isEmpty();
            assertThat(ProtoSchemaCheck.check(r)).isEmpty();
            assertThat(r.clusters()).hasSizeGreaterThanOrEqualTo(1);
        }
    }

    @Property(tries = 60)
    void corruptedStatesAreRejectedAndNothingIsServed(@ForAll("corrupted") Corruption c) {
        try (EnvoyDataplane dp = new EnvoyDataplane(io.nodemesh.api.DataplaneOptions.DEFAULTS)) {
            try {
                dp.apply(c.state());
                throw new AssertionError("accepted " + c);
            } catch (InvalidStateException e) {
                assertThat(e.violations()).anySatisfy(v -> assertThat(v.path()).isEqualTo(c.path()));
            }
            assertThat(dp.state()).isEqualTo(MeshState.EMPTY);
            assertThat(dp.servedVersions("node-a")).isEmpty();
        }
    }
}
