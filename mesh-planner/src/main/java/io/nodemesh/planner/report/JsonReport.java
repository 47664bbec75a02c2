package io.nodemesh.planner.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nodemesh.planner.ClusterShape;
import io.nodemesh.planner.Footprint;
import io.nodemesh.planner.LoadPoint;
import io.nodemesh.planner.PlanReport;
import io.nodemesh.planner.ProxyUsage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The plan as one JSON document: request, footprints, load points (with the busiest proxies). */
public final class JsonReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {}

    public static String render(PlanReport r) {
        Map<String, Object> root = new LinkedHashMap<>();
        ClusterShape s = r.request().shape();
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("nodes", s.nodes());
        shape.put("services", s.services());
        shape.put("podsPerService", s.podsPerService());
        shape.put("pods", s.pods());
        shape.put("l7Services", s.l7Services());
        shape.put("maxPodsPerNode", s.maxPodsPerNode());
        root.put("cluster", shape);
        root.put("messageBytes", r.request().messageBytes());
        root.put("traffic", r.request().traffic().name());
        root.put("locality", r.request().locality().name());
        root.put("seed", r.request().seed());
        root.put("requestsPerLoad", r.request().requestsPerLoad());
        root.put("parameters", r.parameters().description());
        root.put(
                "footprints", r.footprints().stream().map(JsonReport::footprint).toList());
        root.put("loads", r.loads().stream().map(JsonReport::load).toList());
        root.put("wallSeconds", r.wallSeconds());
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the plan as JSON", e);
        }
    }

    private static Map<String, Object> footprint(Footprint f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", f.model().name());
        m.put("proxies", f.proxies());
        m.put("proxiesPerNodeMax", f.proxiesPerNodeMax());
        m.put("proxiesPerNodeMean", f.proxiesPerNodeMean());
        m.put("memoryPerProxyMb", f.memoryPerProxyMb());
        m.put("memoryPerNodeMeanMb", f.memoryPerNodeMeanMb());
        m.put("memoryPerNodeMaxMb", f.memoryPerNodeMaxMb());
        m.put("memoryTotalMb", f.memoryTotalMb());
        return m;
    }

    private static Map<String, Object> load(LoadPoint p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", p.model().name());
        m.put("offeredRps", p.offeredRps());
        m.put("throughputRps", p.throughputRps());
        m.put("requests", p.requests());
        m.put("p50Us", p.p50Us());
        m.put("p99Us", p.p99Us());
        m.put("meanUs", p.meanUs());
        m.put("littleL", p.littleL());
        m.put("littleLambdaW", p.littleLambdaW());
        m.put("maxUtilization", p.maxUtilization());
        m.put("saturated", p.saturated());
        m.put("vcpuPerNodeMax", p.proxyVcpuPerNodeMax());
        m.put("simulatedSeconds", p.simulatedSeconds());
        m.put("crossNodeFraction", p.crossNodeFraction());
        List<Map<String, Object>> busiest =
                p.busiestProxies().stream().map(JsonReport::usage).toList();
        m.put("busiestProxies", busiest);
        return m;
    }

    private static Map<String, Object> usage(ProxyUsage u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", u.kind());
        m.put("node", u.node());
        m.put("vcpu", u.vcpu());
        m.put("rps", u.rps());
        m.put("memoryMb", u.memoryMb());
        return m;
    }
}
