package io.nodemesh.wireguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StrictModeCountersTest {
    @Test
    void everyGuardedCidrHasANamedCounterMostSpecificFirstAndTheHooksOnlyJumpOnALeak() {
        String script = StrictModeFirewall.script(
                Set.of("10.210.0.0/16", "10.210.2.0/24", "fd00:1::/64"), Set.of("10.210.1.0/24"), "wg0");
        assertThat(script)
                .contains(
                        "counter d0 { comment \"fd00:1::/64\"; }",
                        "counter d1 { comment \"10.210.2.0/24\"; }",
                        "counter d2 { comment \"10.210.0.0/16\"; }",
                        "counter other { comment \"other\"; }");
        assertThat(script.indexOf("ip daddr 10.210.2.0/24 counter name \"d1\" drop"))
                .isPositive()
                .isLessThan(script.indexOf("ip daddr 10.210.0.0/16 counter name \"d2\" drop"));
        assertThat(script).contains("ip6 daddr fd00:1::/64 counter name \"d0\" drop");
        // Fail closed: the leak chain ends in a drop whatever matched before.
        assertThat(script).containsPattern("counter name \"other\" drop\\n  }");
        assertThat(script).contains("ip daddr @remote4 oifname != \"wg0\" jump leak");
    }

    @Test
    void readsNftJsonCounters() {
        String json =
                "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"release_name\": \"Lester Gooch #5\", \"json_schema_version\": 1}}, "
                        + "{\"counter\": {\"family\": \"inet\", \"name\": \"d0\", \"table\": \"nodemesh_wireguard\", \"handle\": 3, \"comment\": \"10.210.2.0/24\", \"packets\": 4, \"bytes\": 240}}, "
                        + "{\"counter\": {\"family\": \"inet\", \"name\": \"other\", \"table\": \"nodemesh_wireguard\", \"handle\": 4, \"comment\": \"other\", \"packets\": 0, \"bytes\": 0}}]}";
        assertThat(StrictModeFirewall.parseCounters(json))
                .containsExactly(
                        new StrictModeFirewall.Drops("10.210.2.0/24", 4, 240),
                        new StrictModeFirewall.Drops(StrictModeFirewall.OTHER, 0, 0));
        assertThat(StrictModeFirewall.parseCounters("")).isEqualTo(List.of());
    }
}
