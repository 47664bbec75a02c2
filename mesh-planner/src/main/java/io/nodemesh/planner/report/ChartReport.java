package io.nodemesh.planner.report;

import io.nodemesh.planner.Footprint;
import io.nodemesh.planner.LoadPoint;
import io.nodemesh.planner.Model;
import io.nodemesh.planner.PlanReport;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts of a plan: proxies per node and memory per node (bars, one per model) and p50/p99 latency against load
 * (lines, one per model). Rendered off-screen; callers on a display-less machine run with {@code -Djava.awt.headless=true}
 * (set here too, before AWT loads, when nobody chose).
 */
public final class ChartReport {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    private ChartReport() {}

    /** Writes the charts into {@code dir} and returns the files written. */
    public static List<Path> write(PlanReport r, Path dir) throws IOException {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        List<Path> files = new ArrayList<>();
        DefaultCategoryDataset proxies = new DefaultCategoryDataset();
        DefaultCategoryDataset memory = new DefaultCategoryDataset();
        for (Footprint f : r.footprints()) {
            proxies.addValue(
                    f.proxiesPerNodeMean(), "proxies per node (mean)", f.model().name());
            memory.addValue(
                    f.memoryPerNodeMeanMb(), "MB per node (mean)", f.model().name());
            memory.addValue(
                    f.memoryPerNodeMaxMb(),
                    "MB per node (fullest node)",
                    f.model().name());
        }
        files.add(save(
                ChartFactory.createBarChart(
                        "Proxies per node", "model", "proxies", proxies, PlotOrientation.VERTICAL, true, false, false),
                dir.resolve("proxies-per-node.png")));
        files.add(save(
                ChartFactory.createBarChart(
                        "Mesh dataplane memory per node",
                        "model",
                        "MB",
                        memory,
                        PlotOrientation.VERTICAL,
                        true,
                        false,
                        false),
                dir.resolve("memory-per-node.png")));
        if (!r.loads().isEmpty()) {
            files.add(latencyChart(r, true, dir.resolve("latency-p50.png")));
            files.add(latencyChart(r, false, dir.resolve("latency-p99.png")));
        }
        return files;
    }

    private static Path latencyChart(PlanReport r, boolean p50, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Model m : r.request().models()) {
            XYSeries series = new XYSeries(m.name());
            for (LoadPoint p : r.loads()) {
                if (p.model().equals(m)) series.add(p.offeredRps(), p50 ? p.p50Us() : p.p99Us());
            }
            data.addSeries(series);
        }
        String q = p50 ? "p50" : "p99";
        JFreeChart chart = ChartFactory.createXYLineChart(
                q + " round-trip latency against load",
                "offered load (rps)",
                q + " latency (us, log scale)",
                data,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        double min = Double.MAX_VALUE;
        for (LoadPoint p : r.loads()) min = Math.min(min, p50 ? p.p50Us() : p.p99Us());
        XYPlot plot = chart.getXYPlot();
        if (min > 0) {
            // Base-2 log scale: models differ by factors, and powers of two give ticks between 10 and 1000 us.
            LogAxis axis = new LogAxis(q + " latency (us, log scale)");
            axis.setBase(2);
            axis.setNumberFormatOverride(new DecimalFormat("0"));
            plot.setRangeAxis(axis);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) renderer.setSeriesStroke(i, new BasicStroke(2f));
        plot.setRenderer(renderer);
        return save(chart, file);
    }

    private static Path save(JFreeChart chart, Path file) throws IOException {
        chart.getPlot().setBackgroundPaint(Color.WHITE);
        if (chart.getPlot() instanceof XYPlot xy) {
            xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
            xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
        } else if (chart.getPlot() instanceof CategoryPlot cat) {
            cat.setRangeGridlinePaint(Color.LIGHT_GRAY);
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }
}
