package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * An uncooperative guest cannot make the host pin more than its budget: L2's QEMU runs
 * under RLIMIT_MEMLOCK = the zone without CAP_IPC_LOCK (virtio-iommu, boot-bypass off), and
 * L2 maps {@value #EXTRA_MIB} MiB of ordinary memory into its device's domain beyond the
 * zone. The host refuses those pins, QEMU says so and runs on, L2 runs on, and a DMA by the
 * device into the refused range faults in L1 and writes nothing. Then the same L2 reloads
 * dmazone in transparent mode with edu selected: the test client's buffers come from the DMA
 * API, in the zone, and edu's write to a page outside them faults in L1 and changes nothing.
 */
@Tag("vm")
class GuestMapsBeyondItsZoneIT {
    static final int EXTRA_MIB = 32;
    private static NestedResult run;
    private static GuestChecks l2;
    private static GuestChecks l1;
    private static String qemuStderr;

    @BeforeAll
    static void run() throws IOException {
        run = NestedRun.run(Scenarios.overMappingGuest("guest-maps-beyond-zone", EXTRA_MIB));
        l2 = GuestChecks.parse(run.l2Output());
        l1 = GuestChecks.parse(run.l1CompanionOutput());
        qemuStderr = Files.readString(run.runDirectory().resolve("share/l2-qemu.stderr"));
        PinBudgetRecord.print(run, qemuStderr, l1.check("extra_write_fault_in_l1"));
    }

    @TestFactory
    Stream<DynamicTest> l2ZoneWorksAndItsWritesBeyondTheZoneChangeNothing() {
        return ExpectedChecks.each(l2, List.of("edu_bound", "zone_attached", "zone_dma_before",
                "extra_mapped_by_guest", "extra_write_blocked", "zone_dma_after", "extra_unmapped", "detached",
                "transparent_attached", "transparent_zone_dma", "transparent_outside_write_blocked",
                "transparent_unloaded", "l2_kernel_log_clean"), run.l2Console());
    }

    @TestFactory
    Stream<DynamicTest> l1SeesTheBudgetTheFaultsAndNothingLeftPinned() {
        return ExpectedChecks.each(l1, List.of("l2_qemu_without_ipc_lock", "budget_in_force",
                "extra_write_fault_in_l1", "transparent_outside_write_fault_in_l1", "nothing_left_pinned"),
                run.l2Console());
    }

    @Test
    void l2sQemuNeverLockedMoreThanTheBudgetAndDidLockTheZone() {
        PinBudgetRecord.assertNeverAbove(run, Scenarios.PIN_BUDGET_BYTES);
        assertThat(run.peak().vmLckKiB()).as("L2's QEMU pinned the zone, so the extra maps had to exceed the budget")
                .isEqualTo(Scenarios.PIN_BUDGET_BYTES / 1024);
    }

    @Test
    void qemuReportedTheRefusedMapsAndRanOn() {
        assertThat(PinBudgetRecord.refusedMaps(qemuStderr)).as("QEMU's stderr:%n%s", qemuStderr)
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("Cannot allocate memory"));
        assertThat(run.l2ExitStatus()).as("L2 ran its command to the end after the refusal; its output:%n%s",
                run.l2Output()).isNotEqualTo(-1);
    }
}
