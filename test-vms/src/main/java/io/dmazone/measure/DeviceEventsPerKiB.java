package io.dmazone.measure;

import java.util.Optional;

/**
 * What one mode's traffic cost in device events, per KiB moved each way, medians over its
 * rounds: the interrupts of L2's passed-through NIC (each one L1 took and handed to L2's QEMU
 * through an eventfd) and the register reads and writes of L2's drivers (each one a trap to
 * the outer QEMU's device here, a PCIe transaction on hardware). Under TCG inside TCG an event
 * costs far more than an instruction, so these say where a direction's time goes that the
 * instruction counts do not.
 *
 * @param mode                   the mode's label
 * @param rounds                 its rounds
 * @param l2RxInterruptsPerKiB   L1>L2 (L2 receives): interrupts per KiB
 * @param l2TxInterruptsPerKiB   L2>L1 (L2 sends): interrupts per KiB
 * @param l2RxMmioAccessesPerKiB L1>L2: register accesses per KiB, NaN if not counted
 * @param l2TxMmioAccessesPerKiB L2>L1: register accesses per KiB, NaN if not counted
 */
public record DeviceEventsPerKiB(String mode, int rounds, double l2RxInterruptsPerKiB, double l2TxInterruptsPerKiB,
        double l2RxMmioAccessesPerKiB, double l2TxMmioAccessesPerKiB) {

    /** The mode's figures, or none when neither interrupts nor register accesses were counted. */
    static Optional<DeviceEventsPerKiB> of(ModeMeasurement m) {
        DeviceEventsPerKiB e = new DeviceEventsPerKiB(m.mode().label(), m.rounds().size(),
                Statistics.median(m.rounds(), TrafficRound::l2RxInterruptsPerKiB),
                Statistics.median(m.rounds(), TrafficRound::l2TxInterruptsPerKiB),
                Statistics.median(m.rounds(), TrafficRound::l2RxMmioAccessesPerKiB),
                Statistics.median(m.rounds(), TrafficRound::l2TxMmioAccessesPerKiB));
        boolean any = !Double.isNaN(e.l2RxInterruptsPerKiB) || !Double.isNaN(e.l2TxInterruptsPerKiB)
                || !Double.isNaN(e.l2RxMmioAccessesPerKiB) || !Double.isNaN(e.l2TxMmioAccessesPerKiB);
        return any ? Optional.of(e) : Optional.empty();
    }
}
