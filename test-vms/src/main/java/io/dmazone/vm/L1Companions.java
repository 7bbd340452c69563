package io.dmazone.vm;

/**
 * Ready-made L1 companions (bash scripts kept beside this class, after ktap.sh, the KTAP check
 * emitter, and l1-lib.sh).
 */
public final class L1Companions {
    private L1Companions() {
    }

    /**
     * Measures one matrix mode from L1, as lane {@code lane} of a side-by-side run, once L2 serves
     * iperf3: {@code rounds} rounds, each in the turn L1 gives it, of TCP both ways for
     * {@code seconds} each, with L2 QEMU's VmLck, CPU time and VFIO MAP_DMA/UNMAP_DMA calls per
     * run. With {@code pinBudget} it first runs {@code ZonePinBudget} (the Java API) to set L2
     * QEMU's RLIMIT_MEMLOCK to what L2's zone plan says it needs ({@link NestedSpec#l2Zone()}).
     */
    public static String matrix(int seconds, int rounds, boolean pinBudget, HubLane lane) {
        return script("MATRIX_SECONDS=" + seconds + "\nMATRIX_ROUNDS=" + rounds + (pinBudget ? "\nPIN_BUDGET=1" : "")
                + "\n" + lane.l1Settings(), "l1-matrix.sh");
    }

    /**
     * Drives the nested zone correctness run from L1 (see l1-zone-correctness.sh):
     * traffic at L2's syncs, with {@code faultInjection} the traffic that reaches L2's injected
     * out-of-zone RX descriptor and the check that L1's IOMMU refused its write, VmLck after
     * each of {@code cycles} reloads, then the kill of L2's QEMU and a second QEMU with the
     * same device.
     */
    public static String zoneCorrectness(long zoneKiB, int cycles, boolean faultInjection) {
        return script("ZONE_KIB=" + zoneKiB + "\nCYCLES=" + cycles + "\nFAULT_INJECTION=" + (faultInjection ? 1 : 0),
                "l1-zone-correctness.sh", "e1000e-lib.sh");
    }

    /**
     * Watches an NVMe run from L1 (see l1-nvme.sh): with {@code pinBudget} holds L2's QEMU to
     * its zone plan's RLIMIT_MEMLOCK; counts the VFIO map calls L2's QEMU makes during L2's
     * command and the DMA faults L1's IOMMU reports.
     */
    public static String nvme(boolean pinBudget) {
        return script(pinBudget ? "PIN_BUDGET=1" : "", "l1-nvme.sh");
    }

    /**
     * Watches an uncooperative-guest run from L1 (see l1-uncooperative.sh): L2's QEMU under
     * {@code budgetBytes}, the fault of L2's write beyond its zone, nothing left pinned.
     */
    public static String uncooperative(long budgetBytes) {
        return script("BUDGET_BYTES=" + budgetBytes, "l1-uncooperative.sh");
    }

    /**
     * Follows an edu benchmark run from L1 (see l1-edu-bench.sh): per round of {@code rounds},
     * L2 QEMU's CPU time, its VFIO map calls and L2's instructions, and the round's start and end
     * as files the host stamps.
     */
    public static String eduBench(int rounds) {
        return script("EDU_ROUNDS=" + rounds, "l1-edu-bench.sh");
    }

    /** Settings, ktap.sh, the companion's own {@code helpers}, l1-lib.sh, then the companion itself. */
    private static String script(String settings, String companion, String... helpers) {
        StringBuilder script = new StringBuilder(settings).append('\n').append(L2Commands.read("ktap.sh")).append('\n');
        for (String helper : helpers) {
            script.append(L2Commands.read(helper)).append('\n');
        }
        return script.append(L2Commands.read("l1-lib.sh")).append('\n').append(L2Commands.read(companion)).toString();
    }
}
