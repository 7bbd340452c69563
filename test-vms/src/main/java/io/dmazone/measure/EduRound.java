package io.dmazone.measure;

/**
 * One round of the edu benchmark in one mode: L2's test client made {@code transfers} round
 * trips (its buffer to edu and back) while L1 watched.
 *
 * @param transfers  round trips
 * @param seconds    the round's duration on the host's clock (L1's own runs on icount)
 * @param cpuSeconds CPU time of L2's QEMU in the round, on L1's clock
 * @param mapCalls   VFIO MAP_DMA plus UNMAP_DMA calls of L2's QEMU in the round
 * @param insns      the instructions L2 executed in the round, null if not counted
 */
public record EduRound(int transfers, double seconds, double cpuSeconds, long mapCalls, InsnCounts insns) {

    public double transfersPerSecond() {
        return seconds > 0 ? transfers / seconds : Double.NaN;
    }

    public double cpuMicrosecondsPerTransfer() {
        return cpuSeconds * 1e6 / transfers;
    }

    public double mapCallsPerTransfer() {
        return (double) mapCalls / transfers;
    }

    /** NaN when not counted. */
    public double instructionsPerTransfer() {
        return insns == null ? Double.NaN : (double) insns.total() / transfers;
    }

    /** The test client's edu register reads and writes per round trip; NaN when not watched. */
    public double mmioAccessesPerTransfer() {
        return insns == null || insns.mmioAccesses() == null ? Double.NaN : (double) insns.mmioAccesses() / transfers;
    }
}
