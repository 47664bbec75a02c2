package io.nodemesh.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The article's case: 20 services x 5 pods on 3 nodes is 100 sidecars against 3 node proxies, and at a tuned 60-70 MB
 * per sidecar "about 2 GB per node". The article's arithmetic is 100 proxies x 65 MB / 3 nodes = 2,166.7 MB (6.5 GB
 * over 3 nodes); its 60-70 MB range gives 2,000-2,333 MB. An even spread puts 34, 33 and 33 pods on the nodes.
 */
class ArticleCaseTest {
    private static final ClusterShape ARTICLE = ClusterShape.of(3, 20, 5);

    private static PlannerParameters flatSidecar(double mb) {
        PlannerParameters d = ParameterFile.defaults();
        return d.withProxies(
                d.sidecar().withMemory(new MemoryCost(mb, 0, 0, "the article: tuned sidecar")), d.nodeProxy());
    }

    private static Footprint footprint(PlannerParameters p, String model) {
        return new Planner(p).footprints(ARTICLE, List.of(Model.parse(model))).getFirst();
    }

    @Test
    void hundredSidecarsAgainstThreeNodeProxies() {
        PlannerParameters p = ParameterFile.defaults();
        Footprint sidecar = footprint(p, "sidecar");
        Footprint node = footprint(p, "node");
        assertThat(sidecar.proxies()).isEqualTo(100);
        assertThat(sidecar.proxiesPerNodeMax()).isEqualTo(34);
        assertThat(sidecar.proxiesPerNodeMean()).isCloseTo(100 / 3.0, within(1e-9));
        assertThat(node.proxies()).isEqualTo(3);
        assertThat(node.proxiesPerNodeMax()).isEqualTo(1);
        assertThat(footprint(p, "ebpf").proxies())
                .as("L4-only mesh: eBPF needs no proxy")
                .isZero();
        assertThat(new Planner(p)
                        .footprints(ARTICLE.withL7Fraction(0.5), List.of(Model.parse("ebpf")))
                        .getFirst()
                        .proxies())
                .as("with L7 services the eBPF model runs the node proxy")
                .isEqualTo(3);
    }

    @Test
    void aboutTwoGigabytesPerNodeAt65MbPerProxy() {
        Footprint f = footprint(flatSidecar(65), "sidecar");
        assertThat(f.memoryTotalMb()).isCloseTo(6500, within(1e-9));
        assertThat(f.memoryPerNodeMeanMb()).isCloseTo(6500 / 3.0, within(1e-9)); // 2,166.7 MB
        assertThat(f.memoryPerNodeMaxMb()).isCloseTo(34 * 65, within(1e-9)); // 2,210 MB on the fullest node
        assertThat(footprint(flatSidecar(60), "sidecar").memoryPerNodeMeanMb()).isCloseTo(2000, within(1e-9));
        assertThat(footprint(flatSidecar(70), "sidecar").memoryPerNodeMeanMb()).isCloseTo(7000 / 3.0, within(1e-9));
    }

    @Test
    void nodeProxyMemoryIsOneProxyPerNode() {
        Footprint node = footprint(ParameterFile.defaults(), "node+mtls");
        assertThat(node.memoryPerNodeMeanMb()).isEqualTo(node.memoryPerProxyMb());
        assertThat(node.memoryPerNodeMeanMb())
                .isLessThan(footprint(flatSidecar(65), "sidecar").memoryPerNodeMeanMb() / 100);
    }
}
