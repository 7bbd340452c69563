package io.dmazone.measure;

import io.dmazone.vm.GuestChecks;
import io.dmazone.vm.NestedResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one matrix mode measured, in one nested run.
 *
 * @param mode              the mode
 * @param zoneBytes         the zone L2's dmazone.ko reported, 0 in the modes without one
 * @param peakVmLckKiB      L2 QEMU's highest VmLck over the whole run (boot included)
 * @param trafficVmLckKiB   its highest VmLck while the untraced iperf3 runs went on: the steady footprint
 * @param l2Rx              iperf3 L1 to L2 (L2's e1000e receives), untraced
 * @param l2Tx              iperf3 L2 to L1 (L2's e1000e sends), untraced
 * @param l2RxCpuSeconds    CPU time of L2's QEMU during {@code l2Rx}
 * @param l2TxCpuSeconds    CPU time of L2's QEMU during {@code l2Tx}
 * @param bootMapDmaCalls   VFIO_IOMMU_MAP_DMA ioctls in L1 from L2 QEMU's start until L2 served
 * @param mapDmaCalls       VFIO_IOMMU_MAP_DMA ioctls in L1 during the two iperf3 runs
 * @param unmapDmaCalls     VFIO_IOMMU_UNMAP_DMA ioctls in L1 during the two iperf3 runs
 * @param l2BootWallSeconds L2 QEMU start to L2's command, in L1
 * @param failedChecks      the checks either side failed or never printed, empty when the run was sound
 * @param run               the nested run behind the figures
 */
public record ModeMeasurement(
        MatrixMode mode,
        long zoneBytes,
        long peakVmLckKiB,
        long trafficVmLckKiB,
        IperfRun l2Rx,
        IperfRun l2Tx,
        double l2RxCpuSeconds,
        double l2TxCpuSeconds,
        long bootMapDmaCalls,
        long mapDmaCalls,
        long unmapDmaCalls,
        double l2BootWallSeconds,
        List<String> failedChecks,
        NestedResult run) {

    /** Reads the figures of a finished matrix run (L2's output, L1's companion output and files). */
    public static ModeMeasurement of(MatrixMode mode, NestedResult run) {
        GuestChecks l2 = GuestChecks.parse(run.l2Output());
        GuestChecks l1 = GuestChecks.parse(run.l1CompanionOutput());
        Path share = run.runDirectory().resolve("share");
        List<String> failed = new ArrayList<>();
        addFailed(failed, "L2", l2, mode.expectedL2Checks());
        addFailed(failed, "L1", l1, mode.expectedL1Checks());
        if (run.l2ExitStatus() != 0) {
            failed.add("L2 command exit status " + run.l2ExitStatus());
        }
        double tick = 1.0 / number(l1, "clk_tck", 100);
        return new ModeMeasurement(mode,
                number(l2, "zone_bytes", 0),
                run.peak() == null ? 0 : run.peak().vmLckKiB(),
                Math.max(number(l1, "l2rx_vmlck_max_kib", 0), number(l1, "l2tx_vmlck_max_kib", 0)),
                IperfRun.readIfCompleted(share.resolve("iperf-l2rx.json")),
                IperfRun.readIfCompleted(share.resolve("iperf-l2tx.json")),
                number(l1, "l2rx_l2_qemu_cpu_ticks", 0) * tick,
                number(l1, "l2tx_l2_qemu_cpu_ticks", 0) * tick,
                number(l1, "boot_map_dma_calls", -1),
                sum(l1, "l2rx_map_dma_calls", "l2tx_map_dma_calls"),
                sum(l1, "l2rx_unmap_dma_calls", "l2tx_unmap_dma_calls"),
                run.l2BootWallSeconds(),
                List.copyOf(failed),
                run);
    }

    /** The checks that failed, then the expected ones never printed. */
    static void addFailed(List<String> failed, String side, GuestChecks checks, List<String> expected) {
        checks.checks().values().stream().filter(c -> !c.passed())
                .forEach(c -> failed.add(side + " " + c.name() + ": " + c.detail()));
        expected.stream().filter(name -> checks.check(name).isEmpty())
                .forEach(name -> failed.add(side + " " + name + ": never printed"));
    }

    private static long number(GuestChecks checks, String name, long otherwise) {
        return checks.value(name).filter(v -> v.matches("-?\\d+")).map(Long::parseLong).orElse(otherwise);
    }

    /** The two values added, or -1 if either is missing. */
    private static long sum(GuestChecks checks, String a, String b) {
        long x = number(checks, a, -1);
        long y = number(checks, b, -1);
        return x < 0 || y < 0 ? -1 : x + y;
    }

    /** Both directions measured and no check failed. */
    public boolean sound() {
        return failedChecks.isEmpty() && l2Rx != null && l2Tx != null && mapDmaCalls >= 0;
    }

    /** L1 to L2 plus L2 to L1, Mbit/s. */
    public double bothWaysMbps() {
        return (l2Rx == null ? 0 : l2Rx.megabitsPerSecond()) + (l2Tx == null ? 0 : l2Tx.megabitsPerSecond());
    }

    /** Bytes moved both ways. */
    public long bytes() {
        return (l2Rx == null ? 0 : l2Rx.bytes()) + (l2Tx == null ? 0 : l2Tx.bytes());
    }

    /** VFIO MAP_DMA plus UNMAP_DMA calls per GB moved. */
    public double mapCallsPerGB() {
        return bytes() == 0 || mapDmaCalls < 0 ? Double.NaN : (mapDmaCalls + unmapDmaCalls) / (bytes() / 1e9);
    }

    /** CPU seconds of L2's QEMU per GB moved in the untraced runs. */
    public double cpuSecondsPerGB() {
        return bytes() == 0 ? Double.NaN : (l2RxCpuSeconds + l2TxCpuSeconds) / (bytes() / 1e9);
    }

    /** Steady (during traffic) pinned memory over the zone; NaN without a zone. */
    public double steadyPerZone() {
        return zoneBytes == 0 ? Double.NaN : trafficVmLckKiB * 1024.0 / zoneBytes;
    }

    /** Peak pinned memory over the zone; NaN without a zone. */
    public double peakPerZone() {
        return zoneBytes == 0 ? Double.NaN : peakVmLckKiB * 1024.0 / zoneBytes;
    }
}
