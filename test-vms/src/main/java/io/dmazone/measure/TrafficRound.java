package io.dmazone.measure;

/**
 * One round of a matrix mode's traffic: iperf3 TCP one way, then the other.
 *
 * @param l2Rx           iperf3 L1 to L2 (L2's e1000e receives), null if it did not complete
 * @param l2Tx           iperf3 L2 to L1 (L2's e1000e sends), null if it did not complete
 * @param l2RxCpuSeconds CPU time of L2's QEMU during {@code l2Rx}
 * @param l2TxCpuSeconds CPU time of L2's QEMU during {@code l2Tx}
 */
public record TrafficRound(IperfRun l2Rx, IperfRun l2Tx, double l2RxCpuSeconds, double l2TxCpuSeconds) {

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
}
