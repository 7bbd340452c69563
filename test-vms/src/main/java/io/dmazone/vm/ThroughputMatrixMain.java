package io.dmazone.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The main job: the four-mode matrix (full pinning, vIOMMU dynamic, zone under
 * intel-iommu, zone under virtio-iommu with boot-bypass=off), one nested run each
 * with the same L1, L2 kernel and L2 memory; prints the tables and writes
 * test-vms/target/reports/matrix.json. Arguments: [seconds per iperf3 run]
 * [MODE...] (20 and all four modes).
 */
public final class ThroughputMatrixMain {
    private ThroughputMatrixMain() {
    }

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<ModeMeasurement> measured = new ArrayList<>();
        List<MatrixMode> modes = args.length > 1
                ? List.of(args).subList(1, args.length).stream().map(MatrixMode::valueOf).toList()
                : List.of(MatrixMode.values());
        for (MatrixMode mode : modes) {
            String name = "matrix-" + mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
            System.out.println("== " + name + ": " + mode.label() + " (iperf3 " + seconds + " s each way)");
            ModeMeasurement m = ModeMeasurement.of(mode, NestedRun.run(Scenarios.matrix(name, mode, seconds)));
            m.failedChecks().forEach(f -> System.out.println("   FAILED " + f));
            System.out.println("   run files: " + m.run().runDirectory());
            measured.add(m);
        }
        MatrixReport report = MatrixReport.of(measured);
        System.out.println();
        System.out.print(MatrixTable.render(report));
        Path file = Project.root().resolve("test-vms/target/reports/matrix.json");
        Reports.write(file, report);
        System.out.println("report: " + file);
        System.exit(measured.stream().allMatch(ModeMeasurement::sound) ? 0 : 1);
    }
}
