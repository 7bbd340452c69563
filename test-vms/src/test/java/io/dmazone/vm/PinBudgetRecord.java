package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

/** What the uncooperative-guest runs record per case, and the checks they share. */
final class PinBudgetRecord {
    private PinBudgetRecord() {
    }

    /** QEMU's lines for maps VFIO refused (QEMU prints the call, its errno and the error text). */
    static List<String> refusedMaps(String qemuStderr) {
        return qemuStderr.lines().filter(l -> l.contains("vfio_container_dma_map(") || l.contains("vfio_dma_map("))
                .toList();
    }

    /** Every sample of L2 QEMU's VmLck and VmPin, through the whole run, at most the budget. */
    static void assertNeverAbove(NestedResult run, long budgetBytes) {
        assertThat(run.samples()).as("samples of L2's QEMU in L1").isNotEmpty()
                .allSatisfy(s -> assertThat(s.pinnedKiB()).as("pinned at %d ms (%s)", s.millis(), s.phase())
                        .isLessThanOrEqualTo(budgetBytes / 1024));
    }

    /** QEMU's line when it stopped on a failed map, if it did. */
    static Optional<String> hardwareError(String qemuStderr) {
        return qemuStderr.lines().filter(l -> l.contains("hardware error")).findFirst();
    }

    /** Prints the case's record: budget, highest locked memory, QEMU's message, L2's state, L1's fault line. */
    static void print(NestedResult run, String qemuStderr, Optional<GuestChecks.Check> faultLine) {
        List<String> refused = refusedMaps(qemuStderr);
        System.out.printf("%s: budget %d KiB; highest locked %d KiB over %d samples (%.0f s); QEMU refused %d map(s),"
                        + " first: %s; then QEMU %s; L2 %s; L1 fault line: %s%n",
                run.name(), Scenarios.PIN_BUDGET_BYTES / 1024,
                run.peak() == null ? -1 : run.peak().pinnedKiB(), run.samples().size(), run.l2WallSeconds(),
                refused.size(), refused.isEmpty() ? "none" : refused.get(0),
                hardwareError(qemuStderr).map(l -> "stopped: " + l).orElse("ran on"),
                run.l2ExitStatus() == -1 ? "stopped before its command ended"
                        : "finished its command, exit " + run.l2ExitStatus(),
                faultLine.map(GuestChecks.Check::detail).orElse("none"));
    }
}
