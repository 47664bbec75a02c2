package io.nodemesh.examples.demo;

import static io.nodemesh.examples.cli.CliRun.nodemesh;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.examples.cli.CliRun;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
    @Test
    void theArticlesClusterGivesTheArticlesNumbers() {
        CliRun r = nodemesh("demo", "--connections", "500");
        assertThat(r.exitCode()).as(r.err()).isZero();
        // 20 × 5 = 100 sidecars over 3 nodes at 65 MB: 100 × 65 / 3 = 2166.7 MB, the article's "about 2 GB per node".
        assertThat(r.out()).containsPattern("per-pod sidecars +100 +33\\.3 +2167 MB \\(2\\.1 GB\\)");
        assertThat(r.out()).containsPattern("per-node proxy +3 +1\\.0 +65 MB");
        assertThat(r.out()).containsPattern("eBPF \\(L4 path\\) +0 +0\\.0 +0 MB");
        assertThat(r.out()).contains("3 nodes, 20 services x 5 pods = 100 pods (node-1: 34, node-2: 33, node-3: 33)");
        assertThat(r.out()).containsPattern("total +500\\b");
        // The deny and the default-deny allow both refuse something; redirect and the tunnel both carry traffic.
        assertThat(r.out()).containsPattern("refused at connect +0 +[1-9]\\d* +0");
        assertThat(r.out()).containsPattern("socket redirect \\(same node\\) +[1-9]\\d* ");
        assertThat(r.out()).containsPattern("WireGuard tunnel +[1-9]\\d* ");
    }

    @Test
    void theSameSeedPrintsTheSameReport() {
        assertThat(nodemesh("demo", "--connections", "300", "--seed", "5").out())
                .isEqualTo(
                        nodemesh("demo", "--connections", "300", "--seed", "5").out())
                .isNotEqualTo(
                        nodemesh("demo", "--connections", "300", "--seed", "6").out());
    }

    @Test
    void otherShapesScaleTheArithmetic() {
        CliRun r = nodemesh(
                "demo", "--nodes", "10", "--services", "50", "--pods-per-service", "4", "--connections", "200");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("per-pod sidecars +200 +20\\.0 +1300 MB (\\(1\\.3 GB\\))?");
        assertThat(r.out()).containsPattern("per-node proxy +10 +1\\.0 +65 MB");
    }

    @Test
    void badOptionsExitWithTwoAndSayWhich() {
        CliRun r = nodemesh("demo", "--nodes", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--nodes 0 is outside 1..100");
        assertThat(nodemesh("demo", "--connections", "-1").err()).contains("--connections -1 is outside");
    }
}
