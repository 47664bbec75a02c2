package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One flow, one line, hubble-style: who, to what, where it went, the verdict and the path. */
class FlowPrinterTest {
    @Test
    void formatsForwardedAndDroppedFlows() {
        FlowPeer web = new FlowPeer("10.1.0.10", 43210, "shop/web-1", "spiffe://cluster.local/ns/shop/sa/web");
        FlowPeer vip = new FlowPeer("10.96.0.10", 80, "", "");
        FlowPeer api = new FlowPeer("10.1.0.20", 8080, "shop/api-1", "spiffe://cluster.local/ns/shop/sa/api");
        Instant t = Instant.parse("2026-11-25T18:20:01.123Z");
        assertThat(FlowPrinter.format(new FlowEvent(
                        t,
                        "node-a",
                        FlowEvent.Type.CONNECT,
                        web,
                        vip,
                        "shop/api",
                        api,
                        Verdict.FORWARDED,
                        FlowPath.SOCKET_REDIRECT,
                        0)))
                .isEqualTo("Nov 25 18:20:01.123 node-a CONNECT   shop/web-1 (10.1.0.10:43210) -> shop/api 10.96.0.10:80"
                        + " => shop/api-1 (10.1.0.20:8080) FORWARDED via SOCKET_REDIRECT");
        FlowPeer host = new FlowPeer("fd00::1", 5000, "", "host");
        assertThat(FlowPrinter.format(new FlowEvent(
                        t,
                        "node-a",
                        FlowEvent.Type.DROP,
                        host,
                        vip,
                        "shop/api",
                        null,
                        Verdict.DROPPED_POLICY,
                        FlowPath.NONE,
                        0)))
                .isEqualTo(
                        "Nov 25 18:20:01.123 node-a DROP      host ([fd00::1]:5000) -> shop/api 10.96.0.10:80 DROPPED_POLICY via NONE");
    }
}
