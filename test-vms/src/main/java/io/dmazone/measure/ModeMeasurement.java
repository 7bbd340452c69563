package io.dmazone.measure;

import io.dmazone.vm.GuestChecks;
import io.dmazone.vm.NestedResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one matrix mode measured, in one nested run: its traffic in rounds, each iperf3 TCP one
 * way then the other.
 *
 * @param mode              the mode
 * @param zoneBytes         the zone L2's dmazone.ko reported, 0 in the modes without one
 * @param peakVmLckKiB      L2 QEMU's highest VmLck over the whole run (boot included)
 * @param trafficVmLckKiB   its highest VmLck while the iperf3 runs went on: the steady footprint
 * @param rounds            the traffic, round by round
 * @param bootMapDmaCalls   VFIO_IOMMU_MAP_DMA ioctls in L1 from L2 QEMU's start until L2 served, null
 *                          if not counted (as for the other two counts)
 * @param mapDmaCalls       VFIO_IOMMU_MAP_DMA ioctls in L1 during the iperf3 runs
 * @param unmapDmaCalls     VFIO_IOMMU_UNMAP_DMA ioctls in L1 during the iperf3 runs
 * @param l2BootWallSeconds L2 QEMU start to L2's command, in L1
 * @param failedChecks      the checks either side failed or never printed, empty when the run was sound
 * @param run               the nested run behind the figures
 */
public record ModeMeasurement(
        MatrixMode mode,
        long zoneBytes,
        long peakVmLckKiB,
        long trafficVmLckKiB,
        List<TrafficRound> rounds,
        Long bootMapDmaCalls,
        Long mapDmaCalls,
        Long unmapDmaCalls,
        double l2BootWallSeconds,
        List<String> failedChecks,
        NestedResult run) {

    /** Reads the figures of a finished matrix run (L2's output, L1's companion output and files). */
    public static ModeMeasurement of(MatrixMode mode, NestedResult run) {
        GuestChecks l2 = GuestChecks.parse(run.l2Output());
        GuestChecks l1 = GuestChecks.parse(run.l1CompanionOutput());
        Path share = run.shareDirectory();
        List<String> failed = new ArrayList<>();
        addFailed(failed, "L2", l2, mode.expectedL2Checks());
        if (run.l2ExitStatus() != 0) {
            failed.add("L2 command exit status " + run.l2ExitStatus());
        }
        double tick = 1.0 / number(l1, "clk_tck", 100);
        int roundCount = (int) number(l1, "matrix_rounds", 1);
        List<TrafficRound> rounds = new ArrayList<>();
        Long maps = 0L;
        Long unmaps = 0L;
        long steadyKiB = 0;
        for (int r = 1; r <= roundCount; r++) {
            String rx = "l2rx_" + r;
            String tx = "l2tx_" + r;
            rounds.add(new TrafficRound(IperfRun.readIfCompleted(share.resolve("iperf-" + rx + ".json")),
                    IperfRun.readIfCompleted(share.resolve("iperf-" + tx + ".json")),
                    number(l1, rx + "_l2_qemu_cpu_ticks", 0) * tick,
                    number(l1, tx + "_l2_qemu_cpu_ticks", 0) * tick,
                    InsnCounts.read(l1, rx), InsnCounts.read(l1, tx),
                    count(l1, rx + "_device_irqs"), count(l1, tx + "_device_irqs")));
            maps = addCounted(maps, sum(l1, rx + "_map_dma_calls", tx + "_map_dma_calls"));
            unmaps = addCounted(unmaps, sum(l1, rx + "_unmap_dma_calls", tx + "_unmap_dma_calls"));
            steadyKiB = Math.max(steadyKiB, Math.max(number(l1, rx + "_vmlck_max_kib", 0),
                    number(l1, tx + "_vmlck_max_kib", 0)));
        }
        addFailed(failed, "L1", l1, mode.expectedL1Checks(roundCount));
        return new ModeMeasurement(mode,
                number(l2, "zone_bytes", 0),
                run.peak() == null ? 0 : run.peak().vmLckKiB(),
                steadyKiB,
                List.copyOf(rounds),
                count(l1, "boot_map_dma_calls"),
                maps,
                unmaps,
                run.l2BootWallSeconds(),
                List.copyOf(failed),
                run);
    }

    /** A running count plus one more, null once either was not counted. */
    private static Long addCounted(Long total, Long more) {
        return total == null || more == null ? null : total + more;
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

    /** A count L1 printed, null if it did not. */
    private static Long count(GuestChecks checks, String name) {
        return checks.value(name).filter(v -> v.matches("\\d+")).map(Long::valueOf).orElse(null);
    }

    /** The two counts added, or null if either is missing. */
    private static Long sum(GuestChecks checks, String a, String b) {
        return addCounted(count(checks, a), count(checks, b));
    }

    /** Every round measured both directions and no check failed. */
    public boolean sound() {
        return failedChecks.isEmpty() && !rounds.isEmpty() && rounds.stream().allMatch(TrafficRound::complete)
                && mapDmaCalls != null && unmapDmaCalls != null;
    }

    /** Each completed round's L1 to L2 rate, Mbit/s. */
    public List<Double> l2RxMbps() {
        return rounds.stream().filter(r -> r.l2Rx() != null).map(r -> r.l2Rx().megabitsPerSecond()).toList();
    }

    /** Each completed round's L2 to L1 rate, Mbit/s. */
    public List<Double> l2TxMbps() {
        return rounds.stream().filter(r -> r.l2Tx() != null).map(r -> r.l2Tx().megabitsPerSecond()).toList();
    }

    /** Each complete round's L1 to L2 plus L2 to L1 rate, Mbit/s. */
    public List<Double> bothWaysMbpsPerRound() {
        return rounds.stream().filter(TrafficRound::complete).map(TrafficRound::bothWaysMbps).toList();
    }

    /** The median over the complete rounds of L1 to L2 plus L2 to L1, Mbit/s. */
    public double bothWaysMbps() {
        return Statistics.median(bothWaysMbpsPerRound());
    }

    /** Bytes moved both ways over every round. */
    public long bytes() {
        return rounds.stream().mapToLong(TrafficRound::bytes).sum();
    }

    /** VFIO MAP_DMA plus UNMAP_DMA calls per GB moved. */
    public double mapCallsPerGB() {
        return bytes() == 0 || mapDmaCalls == null || unmapDmaCalls == null ? Double.NaN
                : (mapDmaCalls + unmapDmaCalls) / (bytes() / 1e9);
    }

    /** CPU seconds of L2's QEMU per GB moved, over every round. */
    public double cpuSecondsPerGB() {
        double cpu = rounds.stream().mapToDouble(r -> r.l2RxCpuSeconds() + r.l2TxCpuSeconds()).sum();
        return bytes() == 0 ? Double.NaN : cpu / (bytes() / 1e9);
    }

    /** Each complete round's CPU seconds of L2's QEMU per GB moved. */
    public List<Double> cpuSecondsPerGBPerRound() {
        return rounds.stream().filter(TrafficRound::complete).map(TrafficRound::cpuSecondsPerGB).toList();
    }

    /** Each complete, counted round's instructions L2 executed per byte moved both ways. */
    public List<Double> instructionsPerBytePerRound() {
        return Statistics.finite(rounds.stream().map(TrafficRound::instructionsPerByte).toList());
    }

    /** Whether L2's instructions were counted in any round. */
    public boolean instructionsCounted() {
        return rounds.stream().anyMatch(r -> r.l2RxInsns() != null || r.l2TxInsns() != null);
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
