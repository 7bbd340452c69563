package io.dmazone.measure;

import io.dmazone.vm.InsnCounter;
import io.dmazone.vm.Kernels;
import io.dmazone.vm.NestedRun;
import io.dmazone.vm.Project;
import io.dmazone.vm.Reports;
import io.dmazone.vm.VmException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The edu benchmark: QEMU's edu device passed through to L2 in each {@link EduBenchMode}, one
 * mode after the other, each in an L1 of its own on icount; L2's test client makes rounds of
 * DMA round trips and L1 takes each round's figures. Prints the table, writes
 * test-vms/target/reports/edu-bench.json and edu-bench.png (round trips per second per mode).
 * Arguments: [rounds] [round trips per round] (6 and 200). Exits 1 when a mode failed.
 */
public final class EduBenchMain {
    private EduBenchMain() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int transfers = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        System.out.println("== edu benchmark: " + rounds + " round(s) of " + transfers
                + " DMA round trips in each mode, one mode after the other");
        InsnCounter counter = InsnCounter.forKernel(Kernels.selected());
        List<EduBenchRun> runs = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (EduBenchMode mode : EduBenchMode.values()) {
            System.out.println("   " + mode.label() + " ...");
            try {
                EduBenchRun run = EduBenchRun.of(mode, rounds, transfers,
                        NestedRun.run(mode.spec("edu-" + mode.slug(), rounds, transfers, counter)));
                run.failedChecks().forEach(f -> System.out.println("   " + mode.label() + " FAILED " + f));
                if (!run.sound()) {
                    failed.add(mode.name());
                }
                runs.add(run);
            } catch (VmException | IllegalStateException e) {
                System.out.println("   " + mode.label() + " FAILED: " + e.getMessage().lines().findFirst().orElse(e.toString()));
                failed.add(mode.name());
            }
        }
        EduBenchReport report = EduBenchReport.of(transfers, runs);
        System.out.println();
        System.out.print(EduBenchTable.render(report));
        Path file = Project.root().resolve("test-vms/target/reports/edu-bench.json");
        Reports.write(file, report);
        System.out.println("report: " + file);
        System.out.println("plot: " + MatrixPlots.writeEduRoundTrips(runs, file.resolveSibling("edu-bench.png")));
        if (!failed.isEmpty()) {
            System.out.println("failed: " + String.join(", ", failed));
        }
        System.exit(failed.isEmpty() ? 0 : 1);
    }
}
