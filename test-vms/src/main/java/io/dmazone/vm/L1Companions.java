package io.dmazone.vm;

/** Ready-made L1 companions (bash scripts kept beside this class, after l1-lib.sh). */
public final class L1Companions {
    private L1Companions() {
    }

    /**
     * Measures one matrix mode from L1 once L2 serves iperf3: TCP both ways for
     * {@code seconds} each, then again for {@code tracedSeconds} each under strace to
     * count L2 QEMU's VFIO MAP_DMA/UNMAP_DMA calls.
     */
    public static String matrix(int seconds, int tracedSeconds) {
        return "MATRIX_SECONDS=" + seconds + "\nTRACED_SECONDS=" + tracedSeconds + "\n"
                + L2Commands.read("l1-lib.sh") + "\n" + L2Commands.read("l1-matrix.sh");
    }

    /**
     * Drives the nested zone correctness run from L1 (see l1-zone-correctness.sh):
     * traffic at L2's syncs, VmLck after each of {@code cycles} reloads, then the kill of
     * L2's QEMU and a second QEMU with the same device.
     */
    public static String zoneCorrectness(long zoneKiB, int cycles) {
        return "ZONE_KIB=" + zoneKiB + "\nCYCLES=" + cycles + "\n"
                + L2Commands.read("l1-lib.sh") + "\n" + L2Commands.read("l1-zone-correctness.sh");
    }
}
