package io.dmazone.measure;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the counts measured here imply for the same modes on hardware (KVM and a physical
 * IOMMU), where L2's instructions run natively and the device's DMA costs the CPU nothing: a
 * mode's cost per byte is its instructions per byte at a hardware instruction rate, plus a trap
 * for every VFIO map call it makes (each vIOMMU map or unmap is an exit to QEMU and an ioctl
 * that pins or unpins, maps or unmaps and flushes the IOTLB). A CPU-bound guest moves bytes
 * at the inverse of that cost, so a ratio of costs projects a ratio of throughputs. This is a
 * projection from the counts and two stated constants, not a measurement. Device register
 * accesses (MMIO exits) are not counted and not charged: every mode drives the same e1000e.
 *
 * @param instructionsPerNanosecond the hardware instruction rate assumed
 * @param instructionsSource        where that figure comes from
 * @param nanosecondsPerMapCall     the cost of one VFIO map or unmap call with its exit, assumed
 * @param mapCallSource             where that figure comes from
 * @param rows                      each mode whose instructions were counted both ways
 */
public record HardwareProjection(double instructionsPerNanosecond, String instructionsSource,
        double nanosecondsPerMapCall, String mapCallSource, List<Row> rows) {

    /** A 4 GHz core retiring one instruction per cycle. */
    static final double INSTRUCTIONS_PER_NANOSECOND = 4.0;
    static final String INSTRUCTIONS_SOURCE = "assumed: a 4 GHz core retiring one instruction per cycle, well below"
            + " the 4 to 6 a current x86 core can retire, as kernel network code (pointer chasing, cache misses) runs";
    /** One exit to QEMU plus one VFIO type1 map or unmap ioctl. */
    static final double NANOSECONDS_PER_MAP_CALL = 2000;
    static final String MAP_CALL_SOURCE = "assumed: one exit to QEMU (a KVM_RUN round trip alone is about 2,500"
            + " cycles, lkml.iu.edu/hypermail/linux/kernel/2012.2/00527.html; VM exits cost 'hundreds or thousands"
            + " of cycles for a single transition', Intel, 'Virtualization and Performance: Understanding VM Exits',"
            + " 2009), QEMU's walk of L2's I/O page table, and one VFIO_IOMMU_MAP_DMA or UNMAP_DMA that pins or"
            + " unpins a page, edits the IOMMU's page table and flushes its IOTLB; the break-even column gives the"
            + " cost at which the zone / dynamic target would just be met, to judge the assumption by";

    public HardwareProjection {
        rows = List.copyOf(rows);
    }

    /**
     * One mode on hardware.
     *
     * @param mode                 the mode's label
     * @param instructionsPerByte  the median over its rounds of L2's instructions per byte, both ways
     * @param mapCallsPerByte      its VFIO map and unmap calls per byte moved
     * @param nanosecondsPerByte   the projected CPU cost per byte
     * @param zonePerFull          for a zone mode, projected throughput over full pinning's; else null
     * @param zonePerDynamic       for a zone mode, projected throughput over vIOMMU dynamic's; else null
     * @param breakEvenNanosecondsPerMapCall for a zone mode, the cost per map call at which
     *                             {@code zonePerDynamic} would equal the zone / dynamic target (0: met
     *                             however cheap a map call is); else null
     */
    public record Row(String mode, double instructionsPerByte, double mapCallsPerByte, double nanosecondsPerByte,
            Double zonePerFull, Double zonePerDynamic, Double breakEvenNanosecondsPerMapCall) {
    }

    /** The projection at the constants above, for the measured modes counted both ways; null if none was. */
    static HardwareProjection of(List<ModeMeasurement> measurements) {
        return of(measurements, INSTRUCTIONS_PER_NANOSECOND, INSTRUCTIONS_SOURCE, NANOSECONDS_PER_MAP_CALL,
                MAP_CALL_SOURCE);
    }

    /** The projection at the constants given, each with where it comes from. */
    static HardwareProjection of(List<ModeMeasurement> measurements, double instructionsPerNs, String instructionsSource,
            double nsPerMapCall, String mapCallSource) {
        List<ModeMeasurement> counted = measurements.stream()
                .filter(m -> !m.instructionsPerBytePerRound().isEmpty() && Double.isFinite(m.mapCallsPerGB())).toList();
        if (counted.isEmpty()) {
            return null;
        }
        Optional<ModeMeasurement> full = find(counted, MatrixMode.FULL_PINNING);
        Optional<ModeMeasurement> dynamic = find(counted, MatrixMode.VIOMMU_DYNAMIC);
        List<Row> rows = new ArrayList<>();
        for (ModeMeasurement m : counted) {
            double cost = cost(m, instructionsPerNs, nsPerMapCall);
            Double perFull = null;
            Double perDynamic = null;
            Double breakEven = null;
            if (m.mode().zone()) {
                perFull = full.map(f -> cost(f, instructionsPerNs, nsPerMapCall) / cost).orElse(null);
                perDynamic = dynamic.map(d -> cost(d, instructionsPerNs, nsPerMapCall) / cost).orElse(null);
                breakEven = dynamic.map(d -> breakEven(m, d, instructionsPerNs)).orElse(null);
            }
            rows.add(new Row(m.mode().label(), instructions(m), maps(m), cost, perFull, perDynamic, breakEven));
        }
        return new HardwareProjection(instructionsPerNs, instructionsSource, nsPerMapCall, mapCallSource, rows);
    }

    /** ns per byte: instructions at the hardware rate plus the map calls' traps. */
    private static double cost(ModeMeasurement m, double instructionsPerNs, double nsPerMapCall) {
        return instructions(m) / instructionsPerNs + maps(m) * nsPerMapCall;
    }

    /**
     * The cost per map call T at which dynamic's cost is the target times the zone mode's:
     * I_d/r + M_d·T = k·(I_z/r + M_z·T), so T = (k·I_z − I_d) / (r·(M_d − k·M_z)); 0 when even
     * free map calls leave the zone mode that far ahead, null when no cost would.
     */
    private static Double breakEven(ModeMeasurement zone, ModeMeasurement dynamic, double instructionsPerNs) {
        double k = MatrixReport.PER_DYNAMIC_TARGET;
        double perCall = maps(dynamic) - k * maps(zone);
        if (!(perCall > 0)) {
            return null;
        }
        return Math.max(0, (k * instructions(zone) - instructions(dynamic)) / (instructionsPerNs * perCall));
    }

    private static double instructions(ModeMeasurement m) {
        return Statistics.median(m.instructionsPerBytePerRound());
    }

    private static double maps(ModeMeasurement m) {
        return m.mapCallsPerGB() / 1e9;
    }

    private static Optional<ModeMeasurement> find(List<ModeMeasurement> ms, MatrixMode mode) {
        return ms.stream().filter(m -> m.mode() == mode).findFirst();
    }
}
