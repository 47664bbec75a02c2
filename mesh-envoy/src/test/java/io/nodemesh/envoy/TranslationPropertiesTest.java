package io.nodemesh.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.contract.gen.Corruption;
import io.nodemesh.contract.gen.MeshStates;
import io.nodemesh.envoy.internal.ca.SpiffeCa;
import io.nodemesh.envoy.internal.ca.WorkloadCertificates;
import io.nodemesh.envoy.internal.translate.EnvoyValidator;
import io.nodemesh.envoy.internal.translate.MeshResources;
import io.nodemesh.envoy.internal.translate.MeshTranslator;
import io.nodemesh.envoy.internal.translate.ProtoSchemaCheck;
import java.time.Clock;
import java.time.Duration;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

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
        var certs = new WorkloadCertificates(
                new SpiffeCa(state.encryption().trustDomain(), Duration.ofDays(1), Clock.systemUTC()),
                Duration.ofHours(1),
                Clock.systemUTC());
        for (Node n : state.nodes()) {
            MeshResources r = t.forNode(state, n.name(), shared, certs);
            assertThat(EnvoyValidator.uniqueNames(r)).isEmpty();
            assertThat(ProtoSchemaCheck.check(r)).isEmpty();
            assertThat(r.clusters()).hasSizeGreaterThanOrEqualTo(1);
        }
    }

    /** Reusing last apply's translations never serves stale resources: the result equals a fresh translation. */
    @Property(tries = 60)
    void incrementalTranslationEqualsAFreshOne(@ForAll("valid") MeshState before) {
        // A typical next state: one service loses its backends, the last route goes away; nodes, workloads, policies
        // stay.
        var b = new MeshState(
                before.nodes(),
                before.workloads(),
                before.services().isEmpty()
                        ? before.services()
                        : java.util.stream.Stream.concat(
                                        java.util.stream.Stream.of(
                                                before.services().getFirst().withEndpoints(java.util.List.of())),
                                        before.services().stream().skip(1))
                                .toList(),
                before.policies(),
                before.routes().isEmpty()
                        ? before.routes()
                        : before.routes().subList(0, before.routes().size() - 1),
                before.encryption());
        if (!b.validate().isEmpty()) return; // a selector service cannot also list (no) endpoints: nothing to compare
        MeshTranslator reused = new MeshTranslator(15001);
        reused.shared(before);
        assertThat(reused.shared(b)).isEqualTo(new MeshTranslator(15001).shared(b));
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
