package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardPrivateKey;
import io.nodemesh.wireguard.uapi.DeviceState;
import io.nodemesh.wireguard.uapi.PeerState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HandshakeWatchTest {
    static final WireguardKey B = WireguardPrivateKey.generate().publicKey();
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static DeviceState device(Instant lastHandshake) {
        return new DeviceState(
                Optional.empty(),
                51820,
                0,
                List.of(new PeerState(B, Optional.empty(), List.of(), 0, lastHandshake, 0, 0)));
    }

    @Test
    void aPeerWithoutHandshakeSinceItsKeyChangeIsRecreatedAfterAGraceThenRepeatedly() {
        HandshakeWatch w = new HandshakeWatch();
        w.watch(B, "node-b", T0);
        assertThat(w.due(device(Instant.EPOCH), T0.plusMillis(900))).isEmpty();
        assertThat(w.due(device(Instant.EPOCH), T0.plusMillis(1600))).containsExactly(B);
        assertThat(w.due(device(Instant.EPOCH), T0.plusMillis(2000))).isEmpty();
        assertThat(w.due(device(Instant.EPOCH), T0.plusMillis(4200))).containsExactly(B);
    }

    @Test
    void aHandshakeAfterTheChangeEndsTheWatchAndHealthyPeersAreNeverTouched() {
        HandshakeWatch w = new HandshakeWatch();
        w.watch(B, "node-b", T0);
        assertThat(w.due(device(T0.plusMillis(10)), T0.plusMillis(5000))).isEmpty();
        assertThat(w.isEmpty()).isTrue();
    }

    @Test
    void givesUpAndLeavesItToWireguardsOwnRetries() {
        HandshakeWatch w = new HandshakeWatch();
        w.watch(B, "node-b", T0);
        assertThat(w.due(device(Instant.EPOCH), T0.plus(HandshakeWatch.GIVE_UP).plusSeconds(1)))
                .isEmpty();
        assertThat(w.isEmpty()).isTrue();
    }
}
