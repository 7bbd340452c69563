package io.dmazone.measure;

import io.dmazone.vm.InsnCounter;
import io.dmazone.vm.Kernels;
import io.dmazone.vm.Project;
import io.dmazone.vm.Reports;
import io.dmazone.vm.Scenarios;
import io.dmazone.vm.VmException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The main job: the seven-mode matrix ({@link MatrixMode}: full pinning, vIOMMU dynamic, zone
 * with the patched e1000e under intel-iommu, also with the NIC hot-added and with a Tx buffer
 * per frame, and under virtio-iommu with boot-bypass=off, zone by dmazone's DMA ops with the
 * stock e1000e under the latter), L2's instructions counted in each, side by side in one L1
 * ({@link SideBySideMatrix}) with the same L2 kernel and L2 memory; prints the tables and
 * writes test-vms/target/reports/matrix.json with each mode's own report beside it.
 * Arguments: [seconds per iperf3 run] [rounds] [MODE...] (10, 6 and every mode). Exits 1
 * when a mode failed or a zone mode missed a pinning or map-call target
 * ({@link MatrixReport#missedGatingTargets}).
 */
public final class ThroughputMatrixMain {
    private ThroughputMatrixMain() {
    }

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        List<MatrixMode> modes = args.length > 2
                ? List.of(args).subList(2, args.length).stream().map(MatrixMode::valueOf).toList()
                : List.of(MatrixMode.values());
        Path reports = Project.root().resolve("test-vms/target/reports");
        System.out.println("== " + modes.size() + " modes side by side in one L1: "
                + String.join(", ", modes.stream().map(MatrixMode::label).toList()) + "; " + rounds
                + " round(s) of iperf3 " + seconds + " s each way, every mode once per round in a shuffled order");
        SideBySideMatrix matrix;
        try {
            matrix = SideBySideMatrix.run("matrix", modes, seconds, rounds, InsnCounter.forKernel(Kernels.selected()),
                    line -> System.out.println("   L1: " + line));
        } catch (VmException | IllegalStateException e) {
            System.out.println("   L1 FAILED: " + e.getMessage().lines().findFirst().orElse(e.toString()));
            if (e instanceof VmException v && !v.consoleTail().isBlank()) {
                System.out.println("   console tail:");
                v.consoleTail().lines().skip(Math.max(0, v.consoleTail().lines().count() - 15))
                        .forEach(l -> System.out.println("     " + l));
            }
            System.exit(1);
            return;
        }
        System.out.println("   run files: " + matrix.runDirectory());
        for (int r = 0; r < matrix.roundOrders().size(); r++) {
            System.out.println("   round " + (r + 1) + ": " + String.join(" -> ",
                    matrix.roundOrders().get(r).stream().map(MatrixMode::label).toList()));
        }
        for (MatrixMode mode : modes) {
            Double idle = matrix.idleCpuShare().get(mode);
            if (idle != null) {
                System.out.printf(Locale.ROOT, "   %s: its L2 QEMU took %.1f %% of a CPU while waiting%n", mode.label(),
                        100 * idle);
            }
        }
        List<String> failedModes = new ArrayList<>();
        for (ModeMeasurement m : matrix.measured()) {
            String name = "matrix-" + m.mode().slug();
            m.failedChecks().forEach(f -> System.out.println("   " + m.mode().label() + " FAILED " + f));
            Reports.write(reports.resolve(name + ".json"), m);
            if (!m.sound()) {
                failedModes.add(m.mode().name() + " (failed checks)");
            }
        }
        matrix.failed().forEach((mode, reason) -> {
            System.out.println("   MODE FAILED: " + mode.label() + ": " + reason);
            String name = "matrix-" + mode.slug();
            Reports.write(reports.resolve(name + ".json"), new FailedMode(mode, reason));
            failedModes.add(mode.name() + " (" + reason + ")");
        });
        List<ModeMeasurement> measured = matrix.measured();
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

    /** The report of a mode whose L2 did not run to the end. */
    record FailedMode(MatrixMode mode, String reason) {
    }
}
