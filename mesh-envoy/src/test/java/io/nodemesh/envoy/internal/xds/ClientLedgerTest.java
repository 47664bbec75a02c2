package io.nodemesh.envoy.internal.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.BackendHealth;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code nodemesh status} shows of a client, when the server sends ahead of the client's answers. */
class ClientLedgerTest {
    private static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
    private final ClientLedger ledger = new ClientLedger();
    private final Object stream = new Object();

    @Test
    void anAnswerToAResponseSentBeforeTheLastStillCounts() {
        ledger.sent(stream, "node-a", LDS, "1", "n1");
        ledger.sent(stream, "node-a", LDS, "2", "n2"); // sent before the client answered n1
        ledger.answered(stream, LDS, "n1", Optional.empty());
        assertThat(only().ackedVersion()).contains("1");
        assertThat(only().sentVersion()).contains("2");

        ledger.answered(stream, LDS, "n2", Optional.of("port in use"));
        assertThat(only().ackedVersion()).contains("1");
        assertThat(only().nacks()).isOne();
        assertThat(only().lastNack()).contains("port in use");

        ledger.answered(stream, LDS, "n2", Optional.of("port in use")); // answered already: not counted twice
        assertThat(only().nacks()).isOne();
    }

    @Test
    void anAnswerAcceptsTheResponsesBeforeIt() {
        ledger.sent(stream, "node-a", LDS, "1", "n1");
        ledger.sent(stream, "node-a", LDS, "2", "n2");
        ledger.sent(stream, "node-a", LDS, "3", "n3");
        ledger.answered(stream, LDS, "n2", Optional.empty());
        ledger.answered(stream, LDS, "n1", Optional.empty()); // late, and older than what it accepted: ignored
        assertThat(only().ackedVersion()).contains("2");
        ledger.answered(stream, LDS, "n3", Optional.empty());
        assertThat(only().ackedVersion()).contains("3");
    }

    private BackendHealth.ProxyClient only() {
        assertThat(ledger.clients()).hasSize(1);
        return ledger.clients().getFirst();
    }
}
