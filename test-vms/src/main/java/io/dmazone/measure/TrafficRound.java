package io.dmazone.measure;

/**
 * One round of a matrix mode's traffic: iperf3 TCP one way, then the other.
 *
 * @param l2Rx           iperf3 L1 to L2 (L2's e1000e receives), null if it did not complete
 * @param l2Tx           iperf3 L2 to L1 (L2's e1000e sends), null if it did not complete
 * @param l2RxCpuSeconds CPU time of L2's QEMU during {@code l2Rx}
 * @param l2TxCpuSeconds CPU time of L2's QEMU during {@code l2Tx}
 * @param l2RxInsns      the instructions L2 executed during {@code l2Rx}, null if not counted
 * @param l2TxInsns      the instructions L2 executed during {@code l2Tx}, null if not counted
 * @param l2RxInterrupts the interrupts of L2's passed-through devices during {@code l2Rx}, as
 *                       L1 took them; null if not counted
 * @param l2TxInterrupts the same during {@code l2Tx}
 */
public record TrafficRound(IperfRun l2Rx, IperfRun l2Tx, double l2RxCpuSeconds, double l2TxCpuSeconds,
        InsnCounts l2RxInsns, InsnCounts l2TxInsns, Long l2RxInterrupts, Long l2TxInterrupts) {

    /** A round whose interrupts were not counted. */
    public TrafficRound(IperfRun l2Rx, IperfRun l2Tx, double l2RxCpuSeconds, double l2TxCpuSeconds,
            InsnCounts l2RxInsns, InsnCounts l2TxInsns) {
        this(l2Rx, l2Tx, l2RxCpuSeconds, l2TxCpuSeconds, l2RxInsns, l2TxInsns, null, null);
    }

    /** A round whose instructions and interrupts were not counted. */
    public TrafficRound(IperfRun l2Rx, IperfRun l2Tx, double l2RxCpuSeconds, double l2TxCpuSeconds) {
        this(l2Rx, l2Tx, l2RxCpuSeconds, l2TxCpuSeconds, null, null);
    }

    /** Both directions completed. */
    public boolean complete() {
        return l2Rx != null && l2Tx != null;
    }

    /** Bytes moved both ways. */
    public long bytes() {
        return (l2Rx == null ? 0 : l2Rx.bytes()) + (l2Tx == null ? 0 : l2Tx.bytes());
    }

    /** L1 to L2 plus L2 to L1, Mbit/s. */
    public double bothWaysMbps() {
        return (l2Rx == null ? 0 : l2Rx.megabitsPerSecond()) + (l2Tx == null ? 0 : l2Tx.megabitsPerSecond());
    }

    /** CPU seconds of L2's QEMU per GB L2 sent in this round, NaN if it sent nothing. */
    public double l2TxCpuSecondsPerGB() {
        return l2Tx == null || l2Tx.bytes() == 0 ? Double.NaN : l2TxCpuSeconds / (l2Tx.bytes() / 1e9);
    }

    /** CPU seconds of L2's QEMU per GB moved both ways in this round, NaN if it moved nothing. */
    public double cpuSecondsPerGB() {
        return bytes() == 0 ? Double.NaN : (l2RxCpuSeconds + l2TxCpuSeconds) / (bytes() / 1e9);
    }

    /** Instructions L2 executed per byte it received, NaN if not counted or nothing came. */
    public double l2RxInstructionsPerByte() {
        return perByte(l2Rx, l2RxInsns, null);
    }

    /** Instructions L2 executed per byte it sent, NaN if not counted or nothing went. */
    public double l2TxInstructionsPerByte() {
        return perByte(l2Tx, l2TxInsns, null);
    }

    /** Instructions in {@code part} per byte L2 received, NaN likewise; 0 for a part not printed. */
    public double l2RxInstructionsPerByte(String part) {
        return perByte(l2Rx, l2RxInsns, part);
    }

    /** Instructions in {@code part} per byte L2 sent, NaN likewise; 0 for a part not printed. */
    public double l2TxInstructionsPerByte(String part) {
        return perByte(l2Tx, l2TxInsns, part);
    }

    /** Device register accesses by L2's drivers per KiB L2 received, NaN if not watched or nothing came. */
    public double l2RxMmioAccessesPerKiB() {
        return perKiB(l2Rx, l2RxInsns == null ? null : l2RxInsns.mmioAccesses());
    }

    /** Device register accesses by L2's drivers per KiB L2 sent, NaN if not watched or nothing went. */
    public double l2TxMmioAccessesPerKiB() {
        return perKiB(l2Tx, l2TxInsns == null ? null : l2TxInsns.mmioAccesses());
    }

    /** Device interrupts per KiB L2 received, NaN if not counted or nothing came. */
    public double l2RxInterruptsPerKiB() {
        return perKiB(l2Rx, l2RxInterrupts);
    }

    /** Device interrupts per KiB L2 sent, NaN if not counted or nothing went. */
    public double l2TxInterruptsPerKiB() {
        return perKiB(l2Tx, l2TxInterrupts);
    }

    private static double perKiB(IperfRun run, Long events) {
        if (run == null || events == null || run.bytes() == 0) {
            return Double.NaN;
        }
        return events / (run.bytes() / 1024.0);
    }

    /** Instructions L2 executed per byte moved both ways, NaN unless both ways completed and were counted. */
    public double instructionsPerByte() {
        if (!complete() || l2RxInsns == null || l2TxInsns == null || bytes() == 0) {
            return Double.NaN;
        }
        return (double) (l2RxInsns.total() + l2TxInsns.total()) / bytes();
    }

    private static double perByte(IperfRun run, InsnCounts insns, String part) {
        if (run == null || insns == null || run.bytes() == 0) {
            return Double.NaN;
        }
        long n = part == null ? insns.total() : insns.byPart().getOrDefault(part, 0L);
        return (double) n / run.bytes();
    }
}
