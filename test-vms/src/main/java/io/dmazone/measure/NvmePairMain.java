package io.dmazone.measure;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dmazone.vm.GuestChecks;
import io.dmazone.vm.NestedResult;
import io.dmazone.vm.NestedRun;
import io.dmazone.vm.Project;
import io.dmazone.vm.Reports;
import io.dmazone.vm.Scenarios;
import io.dmazone.vm.VmException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The main job's NVMe pair: the passed-through NVMe with L2's stock nvme driver under full
 * pinning (no vIOMMU), then on dmazone's DMA ops in the zone (virtio-iommu, boot-bypass off,
 * L2's QEMU held to the zone's pin budget), each in an L1 of its own
 * ({@link Scenarios#nvme}). Prints per side the O_DIRECT throughput each way and what L1
 * pinned for L2, then the zone/full ratios against the target of 0.9; writes
 * test-vms/target/reports/nvme-pair.json. One pair has no confidence interval: the ratio's
 * verdict stays unresolved however it comes out. Exits 1 when a side failed or the zone side
 * pinned more than 1.01 × its zone.
 */
public final class NvmePairMain {
    /** The throughput target: the zone's MB/s at least this share of full pinning's. */
    static final double TARGET = 0.9;
    /** The pinning target: steady and peak VmLck at most this many times the zone. */
    static final double PIN_TARGET = 1.01;

    private NvmePairMain() {
    }

    /**
     * One side of the pair.
     *
     * @param mode            "full pinning" or "zone / DMA ops"
     * @param writeMbps       L2's O_DIRECT write, MB/s (10^6 bytes)
     * @param readMbps        L2's O_DIRECT read, MB/s
     * @param steadyVmLckKiB  L2 QEMU's VmLck in the last sample of L2's command
     * @param peakVmLckKiB    its highest VmLck
     * @param l2MemoryKiB     L2's RAM
     * @param commandMapCalls VFIO MAP_DMA calls L2's QEMU made during L2's command
     * @param failedChecks    checks of L2 or L1 that failed or are missing
     * @param runDirectory    the run's files
     */
    record Side(String mode, double writeMbps, double readMbps, long steadyVmLckKiB, long peakVmLckKiB,
            long l2MemoryKiB, long commandMapCalls, List<String> failedChecks, Path runDirectory) {
    }

    /** The report: both sides and the zone/full ratios, with their verdict. */
    record Report(Side full, Side zone, long zoneKiB, double writeRatio, double readRatio, double target,
            Verdict verdict) {

        /** The report's layout, written as {@code schemaVersion}. */
        static final int SCHEMA_VERSION = 1;

        /** {@link #SCHEMA_VERSION}, first in the JSON. */
        @JsonProperty(value = "schemaVersion", index = 0)
        public int schemaVersion() {
            return SCHEMA_VERSION;
        }
    }

    public static void main(String[] args) {
        System.out.println("== NVMe pair: " + Scenarios.NVME_MIB + " MiB each way with O_DIRECT, L2's stock nvme "
                + "driver; full pinning, then the zone by dmazone's DMA ops (virtio-iommu, pin budget of the zone)");
        List<String> failed = new ArrayList<>();
        Side full = side("full pinning", false, failed);
        Side zone = side("zone / DMA ops", true, failed);
        if (full == null || zone == null) {
            System.out.println("failed: " + String.join("; ", failed));
            System.exit(1);
            return;
        }
        long zoneKiB = Scenarios.MATRIX_ZONE_KIB;
        Report report = new Report(full, zone, zoneKiB, zone.writeMbps() / full.writeMbps(),
                zone.readMbps() / full.readMbps(), TARGET, Verdict.UNRESOLVED);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-16s %12s %12s %14s %14s %14s%n", "NVMe mode", "write MB/s", "read MB/s",
                "steady/zone", "peak/zone", "maps in cmd");
        for (Side s : List.of(full, zone)) {
            System.out.printf(Locale.ROOT, "%-16s %12.2f %12.2f %14.3f %14.3f %14d%n", s.mode(), s.writeMbps(),
                    s.readMbps(), (double) s.steadyVmLckKiB() / zoneKiB, (double) s.peakVmLckKiB() / zoneKiB,
                    s.commandMapCalls());
        }
        System.out.printf(Locale.ROOT, "zone/full: write %.2f, read %.2f (target >= %.2f; one pair, no confidence "
                + "interval: %s)%n", report.writeRatio(), report.readRatio(), TARGET, report.verdict().label());
        System.out.printf(Locale.ROOT, "full pinning pinned %d KiB of L2's %d KiB; the zone side %d KiB (zone %d KiB)%n",
                full.steadyVmLckKiB(), full.l2MemoryKiB(), zone.steadyVmLckKiB(), zoneKiB);
        Path file = Project.root().resolve("test-vms/target/reports/nvme-pair.json");
        Reports.write(file, report);
        System.out.println("report: " + file);
        if (zone.steadyVmLckKiB() > PIN_TARGET * zoneKiB || zone.peakVmLckKiB() > PIN_TARGET * zoneKiB) {
            failed.add("TARGET MISSED zone / DMA ops pinned more than " + PIN_TARGET + " x the zone");
        }
        failed.forEach(f -> System.out.println("failed: " + f));
        System.exit(failed.isEmpty() ? 0 : 1);
    }

    /** Runs one side; null, with the reason added to {@code failed}, when its run did not finish. */
    private static Side side(String mode, boolean zone, List<String> failed) {
        NestedResult run;
        try {
            run = NestedRun.run(Scenarios.nvme(zone ? "nvme-zone" : "nvme-full", zone));
        } catch (VmException | IllegalStateException e) {
            String reason = e.getMessage().lines().findFirst().orElse(e.toString());
            System.out.println("   " + mode + " FAILED: " + reason);
            failed.add(mode + ": " + reason);
            return null;
        }
        GuestChecks l2 = GuestChecks.parse(run.l2Output());
        GuestChecks l1 = GuestChecks.parse(run.l1CompanionOutput());
        List<String> failedChecks = new ArrayList<>();
        addFailures("L2", l2, failedChecks);
        addFailures("L1", l1, failedChecks);
        failedChecks.forEach(c -> System.out.println("   " + mode + " FAILED " + c));
        if (!failedChecks.isEmpty()) {
            failed.add(mode + " (failed checks)");
        }
        Side side = new Side(mode, number(l2, "nvme_write_mbps"), number(l2, "nvme_read_mbps"),
                run.steady() == null ? 0 : run.steady().vmLckKiB(), run.peak() == null ? 0 : run.peak().vmLckKiB(),
                run.l2MemoryKiB(), (long) number(l1, "command_map_dma_calls"), failedChecks, run.runDirectory());
        System.out.printf(Locale.ROOT, "   %s: L2 booted in %.1f s wall; write %.2f MB/s, read %.2f MB/s; run files %s%n",
                mode, run.l2BootWallSeconds(), side.writeMbps(), side.readMbps(), run.runDirectory());
        return side;
    }

    /** Adds {@code checks}' failed checks and stream problems, each prefixed by {@code vm}. */
    private static void addFailures(String vm, GuestChecks checks, List<String> into) {
        checks.checks().values().stream().filter(GuestChecks.Check::failed)
                .forEach(c -> into.add(vm + " " + c.name() + ": " + c.detail()));
        checks.problems().forEach(p -> into.add(vm + " " + p));
    }

    private static double number(GuestChecks checks, String name) {
        return checks.value(name).map(Double::parseDouble).orElse(Double.NaN);
    }
}
