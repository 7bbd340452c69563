package io.dmazone.measure;

import io.dmazone.vm.NestedRun;
import io.dmazone.vm.Progress;
import io.dmazone.vm.Project;
import io.dmazone.vm.Reports;
import io.dmazone.vm.Scenarios;
import io.dmazone.vm.VmException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The main job: the four-mode matrix (full pinning, vIOMMU dynamic, zone under
 * intel-iommu, zone under virtio-iommu with boot-bypass=off), one nested run each
 * with the same L1, L2 kernel and L2 memory; prints the tables and writes
 * test-vms/target/reports/matrix.json. Arguments: [seconds per iperf3 run] [rounds]
 * [MODE...] (20, 1 and all four modes). Exits 1 when a mode failed or a zone mode missed a
 * pinning or map-call target ({@link MatrixReport#missedGatingTargets}).
 */
public final class ThroughputMatrixMain {
    private ThroughputMatrixMain() {
    }

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        List<ModeMeasurement> measured = new ArrayList<>();
        List<MatrixMode> modes = args.length > 2
                ? List.of(args).subList(2, args.length).stream().map(MatrixMode::valueOf).toList()
                : List.of(MatrixMode.values());
        Path reports = Project.root().resolve("test-vms/target/reports");
        List<String> failedModes = new ArrayList<>();
        for (MatrixMode mode : modes) {
            String name = "matrix-" + mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
            System.out.println("== " + name + ": " + mode.label() + " (" + rounds + " round(s) of iperf3 "
                    + seconds + " s each way)");
            try {
                ModeMeasurement m = ModeMeasurement.of(mode, NestedRun.run(mode.nestedSpec(name, seconds, rounds),
                        Progress.onConsole("   ")));
                m.failedChecks().forEach(f -> System.out.println("   FAILED " + f));
                System.out.println("   run files: " + m.run().runDirectory());
                // Written as soon as the mode ends: a later mode's failure cannot lose it.
                Reports.write(reports.resolve(name + ".json"), m);
                measured.add(m);
                if (!m.sound()) {
                    failedModes.add(mode.name() + " (failed checks)");
                }
            } catch (VmException | IllegalStateException e) {
                // A VM that would not boot or run: reported, and the other modes still run.
                String reason = e.getMessage().lines().findFirst().orElse(e.toString());
                System.out.println("   MODE FAILED: " + reason);
                if (e instanceof VmException v && !v.consoleTail().isBlank()) {
                    System.out.println("   console tail:");
                    v.consoleTail().lines().skip(Math.max(0, v.consoleTail().lines().count() - 15))
                            .forEach(l -> System.out.println("     " + l));
                }
                Reports.write(reports.resolve(name + ".json"), new FailedMode(mode, reason, e.getMessage()));
                failedModes.add(mode.name() + " (" + reason + ")");
            }
        }
        if (!measured.isEmpty()) {
            MatrixReport report = MatrixReport.of(measured);
            System.out.println();
            System.out.print(MatrixTable.render(report));
            Path file = reports.resolve("matrix.json");
            Reports.write(file, report);
            System.out.println("report: " + file);
            System.out.println("plot: " + MatrixPlots.writePinnedOverTime(measured, Scenarios.MATRIX_ZONE_KIB,
                    reports.resolve("matrix-pinned.png")));
            System.out.println("plot: " + MatrixPlots.writeThroughputPerRound(measured,
                    reports.resolve("matrix-throughput.png")));
            List<String> missed = report.missedGatingTargets();
            missed.forEach(t -> System.out.println("TARGET MISSED " + t));
            if (!missed.isEmpty()) {
                failedModes.add("targets missed: " + String.join("; ", missed));
            }
        }
        if (!failedModes.isEmpty()) {
            System.out.println("failed: " + String.join("; ", failedModes));
        }
        System.exit(failedModes.isEmpty() ? 0 : 1);
    }

    /** The report of a mode whose VMs did not run to the end. */
    record FailedMode(MatrixMode mode, String reason, String detail) {
    }
}
