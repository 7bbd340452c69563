package io.dmazone.measure;

import io.dmazone.vm.GuestDevice;
import io.dmazone.vm.KernelBuild;
import io.dmazone.vm.Kernels;
import io.dmazone.vm.NestedResult;
import io.dmazone.vm.NestedRun;
import io.dmazone.vm.NestedSpec;
import io.dmazone.vm.Project;
import io.dmazone.vm.Reports;
import io.dmazone.vm.Scenarios;
import io.dmazone.zone.VIommu;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A benchmark of nested boot times on the selected kernel: N nested runs (default 3) of the
 * matrix's L1 with L2 as the full-pinning mode boots it (the scenarios' L2 memory, the e1000e
 * passed through, the stock driver loaded), L2's command a bare {@code true}. Prints each run's L1 and L2
 * boot figures, their medians and the verdicts against the targets: L1 at its command within
 * 12 s of uptime, L2 at its command within 30 s of its QEMU's start (wall, measured in L1).
 * Arguments: [runs (3)] [L2 memory in MiB, to compare sizes] [L2 kernel argument...], the
 * arguments to compare a lever on L2's command line. Writes
 * test-vms/target/reports/nested-boot-time-VARIANT-MIB.json.
 */
public final class NestedBootTimeMain {
    /** L1's target: uptime when its command starts. */
    static final double L1_TARGET_SECONDS = 12;
    /** L2's target: L2 QEMU start to L2's command, wall. */
    static final double L2_TARGET_SECONDS = 30;

    private NestedBootTimeMain() {
    }

    /** One nested run's boot figures. */
    record Boot(double l1UptimeSeconds, double l2WallSeconds, double l2UptimeSeconds, int l1Retries,
            int l2Retries) {
    }

    /** What the runs gave. */
    record BootTimes(KernelBuild kernel, int l2MemoryMiB, List<String> l2KernelArgs, List<Boot> boots, double l1UptimeMedian, double l2WallMedian,
            double l2UptimeMedian, String l1Verdict, String l2Verdict) {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int l2MiB = args.length > 1 ? Integer.parseInt(args[1]) : Scenarios.L2_MEMORY_MIB;
        List<String> l2Args = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        if (runs < 1) {
            System.err.println("usage: NestedBootTimeMain [runs >= 1] [L2 memory MiB] [L2 kernel argument...]");
            System.exit(2);
        }
        List<Boot> boots = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            NestedSpec.Builder spec = NestedSpec.builder("boot-time-" + i)
                    .l2MemoryMiB(l2MiB)
                    .l2Viommu(VIommu.NONE)
                    .passthrough(GuestDevice.E1000E)
                    .l2Module(NestedSpec.e1000eModule())
                    .l2Command("true");
            l2Args.forEach(spec::l2KernelArg);
            NestedResult r = NestedRun.run(spec.build());
            if (r.l2ExitStatus() != 0) {
                System.out.printf(Locale.ROOT, "run %d/%d: L2's command did not finish (status %d); see %s%n", i,
                        runs, r.l2ExitStatus(), r.runDirectory());
                continue;
            }
            Boot b = new Boot(r.l1BootSeconds(), r.l2BootWallSeconds(), r.l2BootUptimeSeconds(),
                    r.l1BootRetries().size(), r.l2BootRetries().size());
            boots.add(b);
            System.out.printf(Locale.ROOT, "run %d/%d: L1 at its command at %.1f s of uptime; L2 at its command "
                    + "%.1f s wall after its QEMU started (%.1f s of L2 uptime); retries L1 %d, L2 %d%n", i, runs,
                    b.l1UptimeSeconds(), b.l2WallSeconds(), b.l2UptimeSeconds(), b.l1Retries(), b.l2Retries());
        }
        if (boots.isEmpty()) {
            System.out.println("no run finished");
            System.exit(1);
        }
        double l1 = Statistics.median(boots.stream().map(Boot::l1UptimeSeconds).toList());
        double l2 = Statistics.median(boots.stream().map(Boot::l2WallSeconds).toList());
        double l2Uptime = Statistics.median(boots.stream().map(Boot::l2UptimeSeconds).toList());
        BootTimes result = new BootTimes(Kernels.selected(), l2MiB, l2Args, boots, l1, l2, l2Uptime,
                verdict(l1, L1_TARGET_SECONDS), verdict(l2, L2_TARGET_SECONDS));
        System.out.printf(Locale.ROOT, "%s, L2 %d MiB%s, %d runs: L1 median %.1f s of uptime (target <= %.0f s: %s); "
                + "L2 median %.1f s wall, %.1f s of uptime (target <= %.0f s wall: %s, %.1fx)%n",
                Kernels.selected().describe(), l2MiB, l2Args.isEmpty() ? "" : " " + String.join(" ", l2Args), boots.size(), l1, L1_TARGET_SECONDS, result.l1Verdict(), l2,
                l2Uptime, L2_TARGET_SECONDS, result.l2Verdict(), l2 / L2_TARGET_SECONDS);
        Reports.write(Project.root().resolve("test-vms/target/reports")
                .resolve("nested-boot-time-" + Kernels.selected().variant() + "-" + l2MiB + ".json"), result);
    }

    private static String verdict(double median, double target) {
        return median <= target ? "met" : "missed";
    }
}
