package io.dmazone.measure;

import io.dmazone.vm.BootHangException;
import io.dmazone.vm.GuestDevice;
import io.dmazone.vm.KernelBuild;
import io.dmazone.vm.Kernels;
import io.dmazone.vm.Project;
import io.dmazone.vm.Reports;
import io.dmazone.vm.Vm;
import io.dmazone.vm.VmResult;
import io.dmazone.vm.VmSpec;
import io.dmazone.zone.VIommu;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A benchmark of boot reliability: N consecutive boots of the nested runs' L1 (q35,
 * intel-iommu, e1000e, 2 vCPUs under TCG) on the selected kernel, each given one attempt,
 * counting the ones the watchdog finds hung and why, with the boot times of the rest.
 * Arguments: [boots (30)] [extra kernel argument...] (a lever to compare, e.g.
 * {@code clocksource=hpet}). Writes test-vms/target/reports/boot-reliability-*.json.
 */
public final class BootReliabilityMain {
    private BootReliabilityMain() {
    }

    /** What the boots gave. */
    record BootReliability(KernelBuild kernel, List<String> extraKernelArgs, int boots, int hung,
            Map<String, Integer> hangsByReason, List<Double> bootSeconds, List<Double> wallSeconds) {
    }

    public static void main(String[] args) {
        int boots = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        List<String> extra = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
        Map<String, Integer> reasons = new LinkedHashMap<>();
        List<Double> bootSeconds = new ArrayList<>();
        List<Double> wallSeconds = new ArrayList<>();
        int hung = 0;
        for (int i = 1; i <= boots; i++) {
            VmSpec.Builder b = VmSpec.builder("boot-" + i).viommu(VIommu.INTEL_IOMMU).device(GuestDevice.E1000E)
                    .cpus(2).memoryMiB(2048).command("true").bootAttempts(1).timeout(Duration.ofMinutes(2));
            extra.forEach(b::kernelArg);
            try {
                VmResult r = Vm.run(b.build());
                bootSeconds.add(r.bootSeconds());
                wallSeconds.add(r.wallSeconds());
                System.out.printf(Locale.ROOT, "boot %d/%d: command at %.1f s of uptime, %.1f s wall%n", i, boots,
                        r.bootSeconds(), r.wallSeconds());
            } catch (BootHangException e) {
                hung++;
                String reason = e.attempts().get(0).reason().replaceAll(":.*", "");
                reasons.merge(reason, 1, Integer::sum);
                System.out.printf(Locale.ROOT, "boot %d/%d: HUNG (%s)%n", i, boots, e.attempts().get(0).reason());
            }
        }
        BootReliability result = new BootReliability(Kernels.selected(), extra, boots, hung, reasons, bootSeconds,
                wallSeconds);
        System.out.printf(Locale.ROOT, "%s%s: %d of %d boots hung %s; boot to command median %.1f s (uptime), "
                + "%.1f s wall%n", Kernels.selected().describe(), extra.isEmpty() ? "" : " " + extra, hung, boots,
                reasons, Statistics.median(bootSeconds), Statistics.median(wallSeconds));
        String name = "boot-reliability-" + Kernels.selected().variant()
                + (extra.isEmpty() ? "" : "-" + String.join("-", extra).replaceAll("[^A-Za-z0-9]+", "_")) + ".json";
        Reports.write(Project.root().resolve("test-vms/target/reports").resolve(name), result);
    }
}
