package io.dmazone.measure;

import io.dmazone.vm.RunEnvironment;
import java.util.List;
import java.util.Locale;

/** Renders the throughput matrix report as the tables people read. */
public final class MatrixTable {
    private MatrixTable() {
    }

    public static String render(MatrixReport report) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-36s %8s %9s %10s %9s %9s %9s %9s %8s %8s %10s %6s %4s%n",
                "mode", "zone MiB", "peak MiB", "steady MiB", "L1>L2 Mb", "L2>L1 Mb", "CPU s/GB",
                "boot maps", "MAP_DMA", "UNMAP", "maps/GB", "L2 s", "ok"));
        for (MatrixReport.ModeFigures m : report.modes()) {
            sb.append(String.format(Locale.ROOT,
                    "%-36s %8.1f %9.1f %10.1f %9.2f %9.2f %9.0f %9s %8s %8s %10.0f %6.1f %4s%n",
                    m.mode(), m.zoneKiB() / 1024.0, m.peakVmLckKiB() / 1024.0, m.steadyVmLckKiB() / 1024.0,
                    m.l2RxMbps(), m.l2TxMbps(), m.cpuSecondsPerGB(), count(m.bootMapDmaCalls()),
                    count(m.mapDmaCalls()), count(m.unmapDmaCalls()),
                    m.mapCallsPerGB(), m.l2BootWallSeconds(), m.sound() ? "yes" : "NO"));
        }
        sb.append(String.format(Locale.ROOT, "%n%-36s %6s %26s %26s %28s%n", "per round: Mbit/s, CPU s/GB", "rounds",
                "L1>L2 median [95% CI]", "L2>L1 median [95% CI]", "CPU s/GB median [95% CI]"));
        for (MatrixReport.ModeFigures m : report.modes()) {
            sb.append(String.format(Locale.ROOT, "%-36s %6d %26s %26s %28s%n", m.mode(), m.rounds(),
                    withInterval(m.l2RxMbps(), m.l2RxLowMbps(), m.l2RxHighMbps()),
                    withInterval(m.l2TxMbps(), m.l2TxLowMbps(), m.l2TxHighMbps()),
                    withInterval(m.cpuSecondsPerGBMedian(), m.cpuSecondsPerGBLow(), m.cpuSecondsPerGBHigh())));
        }
        sb.append(String.format(Locale.ROOT, "%n%-36s %12s %10s %10s%n", "zone mode", "steady/zone",
                "peak/zone", "maps/GB"));
        for (MatrixReport.ZoneRatios r : report.ratios()) {
            sb.append(String.format(Locale.ROOT, "%-36s %12.3f %10.3f %10.0f%n", r.mode(),
                    r.steadyPerZone(), r.peakPerZone(), r.mapCallsPerGB()));
        }
        if (!report.throughput().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%n%-36s %-36s %-6s %5s %26s %7s %s%n", "throughput target", "over",
                    "way", "pairs", "ratio [95% CI]", "target", "verdict"));
            for (MatrixReport.ThroughputTarget t : report.throughput()) {
                sb.append(String.format(Locale.ROOT, "%-36s %-36s %-6s %5d %26s %7s %s%n", t.mode(), t.baseline(),
                        t.direction(), t.pairs(), withInterval(t.ratio(), t.low(), t.high()),
                        String.format(Locale.ROOT, ">= %.2f", t.target()), t.verdict().label()));
            }
        }
        for (MatrixReport.TxBufferComparison t : report.txBuffers()) {
            sb.append(String.format(Locale.ROOT, "%n%-36s %-36s %5s %14s %14s %26s%n", "Tx, CPU s/GB sent (L2>L1)",
                    "over", "pairs", "median", "baseline", "ratio [95% CI]"));
            sb.append(String.format(Locale.ROOT, "%-36s %-36s %5d %14.0f %14.0f %26s%n", t.mode(), t.baseline(),
                    t.pairs(), t.cpuSecondsPerGBSent(), t.baselineCpuSecondsPerGBSent(),
                    withInterval(t.ratio(), t.low(), t.high())));
        }
        renderDeviceEvents(sb, report);
        renderInstructions(sb, report);
        sb.append(String.format(Locale.ROOT, "targets: steady/zone <= %.2f; peak/zone <= %.0f (virtio-iommu "
                + "boot-bypass=off, intel-iommu hot-added); /full pin >= %.2f; /dynamic >= %.0f; "
                + "DMA ops / patched driver >= %.2f; maps/GB 0 in the zone modes; instructions/B over full "
                + "pin <= %.2f%n",
                MatrixReport.STEADY_PER_ZONE_TARGET, MatrixReport.PEAK_PER_ZONE_TARGET,
                MatrixReport.PER_FULL_PINNING_TARGET, MatrixReport.PER_DYNAMIC_TARGET,
                MatrixReport.PER_PATCHED_DRIVER_TARGET, InstructionTarget.PER_FULL_PINNING_TARGET));
        sb.append("medians over the rounds; a ratio is the median of the rounds' ratios, each of two runs in one"
                + " round of the side-by-side run; a 95 % interval (distribution-free) needs "
                + Statistics.MIN_VALUES_FOR_INTERVAL + " rounds or pairs or more; a throughput target is met or"
                + " missed only when its whole interval is on one side of it\n");
        if (report.environment() != null) {
            RunEnvironment e = report.environment();
            sb.append(String.format(Locale.ROOT, "environment: %s, %s, L1 %s, L2 %s, L2 %d MiB%n",
                    e.guestKernel(), e.qemuVersion(), e.l1Accel(), e.l2Accel(), e.l2MemoryMiB()));
        }
        return sb.toString();
    }

    /** The NIC's interrupts and its drivers' register accesses per KiB, each way. */
    private static void renderDeviceEvents(StringBuilder sb, MatrixReport report) {
        if (report.deviceEvents().isEmpty()) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%n%-36s %6s %13s %13s %13s %13s%n", "device events per KiB moved",
                "rounds", "IRQ L1>L2", "IRQ L2>L1", "MMIO L1>L2", "MMIO L2>L1"));
        for (DeviceEventsPerKiB e : report.deviceEvents()) {
            sb.append(String.format(Locale.ROOT, "%-36s %6d %13s %13s %13s %13s%n", e.mode(), e.rounds(),
                    orDash(e.l2RxInterruptsPerKiB(), "%.3f"), orDash(e.l2TxInterruptsPerKiB(), "%.3f"),
                    orDash(e.l2RxMmioAccessesPerKiB(), "%.3f"), orDash(e.l2TxMmioAccessesPerKiB(), "%.3f")));
        }
        sb.append("  IRQ: interrupts of L2's NIC as L1 took them (each handed to L2's QEMU through an eventfd); MMIO:"
                + " register reads and writes by L2's drivers (the module area's code), with the instruction"
                + " counter only; medians over the rounds\n");
    }

    /**
     * L2's instructions per byte by mode and direction, split by part; the zone modes' target
     * over full pinning; the hardware projection with its constants.
     */
    private static void renderInstructions(StringBuilder sb, MatrixReport report) {
        if (report.instructions().isEmpty()) {
            return;
        }
        List<String> parts = report.instructions().stream().flatMap(i -> i.byPart().keySet().stream()).distinct()
                .toList();
        sb.append(String.format(Locale.ROOT, "%n%-36s %-6s %6s %26s", "instructions L2 ran per byte", "way",
                "rounds", "median [95% CI]"));
        parts.forEach(p -> sb.append(String.format(Locale.ROOT, " %9s", p)));
        sb.append('\n');
        for (InstructionsPerByte i : report.instructions()) {
            sb.append(String.format(Locale.ROOT, "%-36s %-6s %6d %26s", i.mode(), i.direction(), i.rounds(),
                    withInterval(i.median(), i.low(), i.high())));
            parts.forEach(p -> sb.append(String.format(Locale.ROOT, " %9.2f", i.byPart().getOrDefault(p, Double.NaN))));
            sb.append('\n');
        }
        if (!report.instructionTargets().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%n%-36s %-36s %5s %26s %7s %s%n", "instructions/B target", "over",
                    "pairs", "ratio [95% CI]", "target", "verdict"));
            for (InstructionTarget t : report.instructionTargets()) {
                sb.append(String.format(Locale.ROOT, "%-36s %-36s %5d %26s %7s %s%n", t.mode(), t.baseline(), t.pairs(),
                        withInterval(t.ratio(), t.low(), t.high()), String.format(Locale.ROOT, "<= %.2f", t.target()),
                        t.verdict().label()));
            }
        }
        HardwareProjection p = report.projection();
        if (p == null) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%nPROJECTED for hardware (not measured: the counts above at %.1f "
                + "instructions/ns and %.0f ns per VFIO map call)%n", p.instructionsPerNanosecond(),
                p.nanosecondsPerMapCall()));
        sb.append(String.format(Locale.ROOT, "%-36s %9s %12s %9s %10s %13s %22s%n", "mode", "insn/B", "map calls/B",
                "ns/B", "zone/full", "zone/dynamic", "break-even ns/map call"));
        for (HardwareProjection.Row r : p.rows()) {
            sb.append(String.format(Locale.ROOT, "%-36s %9.2f %12.6f %9.3f %10s %13s %22s%n", r.mode(),
                    r.instructionsPerByte(), r.mapCallsPerByte(), r.nanosecondsPerByte(), orDash(r.zonePerFull(), "%.3f"),
                    orDash(r.zonePerDynamic(), "%.2f"), orDash(r.breakEvenNanosecondsPerMapCall(), "%.0f")));
        }
        sb.append("  instructions/ns: ").append(p.instructionsSource()).append('\n');
        sb.append("  ns per map call: ").append(p.mapCallSource()).append('\n');
    }

    private static String orDash(Double value, String format) {
        return value == null || value.isNaN() ? "-" : String.format(Locale.ROOT, format, value);
    }

    /** A call count, or "-" where none was counted. */
    private static String count(Long calls) {
        return calls == null ? "-" : calls.toString();
    }

    /** "12.34 [10.00, 14.00]", or the median alone when there is no interval. */
    static String withInterval(double median, double low, double high) {
        return Double.isNaN(low) ? String.format(Locale.ROOT, "%.2f", median)
                : String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", median, low, high);
    }
}
