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
 * An uncooperative guest cannot make the host pin more than its budget: L2 boots without
 * dmazone and with {@code iommu.passthrough=1}, asking virtio-iommu for an identity map of all
 * its RAM for L1's edu, while its QEMU runs under RLIMIT_MEMLOCK = a 64 MiB zone and without
 * CAP_IPC_LOCK.
 *
 * <p>virtio-iommu offers bypass, so the identity domain is a bypass attach: QEMU's VFIO
 * listener then maps all guest RAM itself, in one call, which the host refuses. QEMU 10.0
 * treats a refused map of guest RAM outside the vIOMMU's translation as fatal (hw_error) and
 * stops the guest, where a refused map the guest made through the vIOMMU is only reported
 * ({@link GuestMapsBeyondItsZoneIT}). The host's budget holds either way.
 */
@Tag("vm")
class GuestAsksForIdentityMapIT {
    private static NestedResult run;
    private static GuestChecks l1;
    private static String qemuStderr;

    @BeforeAll
    static void run() throws IOException {
        run = NestedRun.run(Scenarios.identityMapGuest("guest-asks-identity-map"));
        l1 = GuestChecks.parse(run.l1CompanionOutput());
        qemuStderr = Files.readString(run.runDirectory().resolve("share/l2-qemu.stderr"));
        PinBudgetRecord.print(run, qemuStderr, l1.check("extra_write_fault_in_l1"));
    }

    @TestFactory
    Stream<DynamicTest> l1SeesTheBudgetAndNothingLeftPinned() {
        return ExpectedChecks.each(l1, List.of("l2_qemu_without_ipc_lock", "budget_in_force", "nothing_left_pinned"),
                run.l2Console());
    }

    @Test
    void l2sQemuNeverLockedMoreThanTheBudget() {
        PinBudgetRecord.assertNeverAbove(run, Scenarios.PIN_BUDGET_BYTES);
    }

    @Test
    void theHostRefusedToPinAllOfL2sRamAndQemuStoppedItsGuest() {
        assertThat(PinBudgetRecord.refusedMaps(qemuStderr)).as("QEMU's stderr:%n%s", qemuStderr)
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("= -12 (Cannot allocate memory)"));
        assertThat(PinBudgetRecord.hardwareError(qemuStderr)).as("QEMU's stderr:%n%s", qemuStderr)
                .hasValueSatisfying(l -> assertThat(l).contains("vfio: DMA mapping failed"));
        assertThat(run.l2ExitStatus()).as("L2 cannot have finished its command: %s", run.l2Output()).isEqualTo(-1);
    }
}
