package io.nodemesh.planner.report;

import io.nodemesh.planner.PlanReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes every form of a plan into one directory: table.txt, footprints.csv, loads.csv, plan.json and the PNG charts. */
public final class ReportWriter {
    private ReportWriter() {}

    public static List<Path> writeAll(PlanReport r, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        files.add(Files.writeString(dir.resolve("table.txt"), TableReport.render(r)));
        files.add(Files.writeString(dir.resolve("footprints.csv"), CsvReport.footprints(r)));
        files.add(Files.writeString(dir.resolve("loads.csv"), CsvReport.loads(r)));
        files.add(Files.writeString(dir.resolve("plan.json"), JsonReport.render(r)));
        files.addAll(ChartReport.write(r, dir));
        return files;
    }
}
