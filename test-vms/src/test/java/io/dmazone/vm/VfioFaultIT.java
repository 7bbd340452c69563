package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.zone.VIommu;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Faults and load on the Java API's VFIO path in one L1 VM (q35 + intel-iommu + edu): a JVM
 * killed inside a 1 GiB MAP_DMA and inside a sequence of maps, eight threads mapping for
 * 30 s, two threads racing for one IOVA, the last IOVA page and a range that wraps 2^64.
 * Each check is printed by {@code io.dmazone.guest.VfioFaultCheck}.
 */
@Tag("vm")
class VfioFaultIT {
    static final List<String> CHECKS = List.of("find_edu", "kill_mid_large_map", "kill_mid_map_sequence",
            "threads_disjoint_maps", "threads_vmlck_zero", "overlap_one_wins", "last_iova_page", "wrapping_range_refused");
    private static VmResult result;
    private static GuestChecks checks;

    @BeforeAll
    static void boot() {
        String cmd = "modprobe vfio-pci; java -cp '" + Project.guestClasspath() + "' io.dmazone.guest.VfioFaultCheck 30";
        result = Vm.run(VmSpec.builder("vfio-faults")
                .viommu(VIommu.INTEL_IOMMU)
                .device(GuestDevice.EDU)
                .memoryMiB(3072) // the killed children pin up to 1 GiB
                .command(cmd)
                .timeout(Duration.ofMinutes(12))
                .build());
        checks = GuestChecks.parse(result.output());
        System.out.printf("vfio-faults: %s, booted in %.1f s, %.1f s wall; VmLck at kill %s KiB (large) / %s KiB "
                        + "(sequence); %s map/unmap calls in 30 s; kernel answers to a wrapping range: map %s, unmap %s%n",
                result.accel(), result.bootSeconds(), result.wallSeconds(),
                checks.value("kill_mid_large_map_vmlck_at_kill_kb").orElse("?"),
                checks.value("kill_mid_map_sequence_vmlck_at_kill_kb").orElse("?"),
                checks.value("threads_calls").orElse("?"), checks.value("kernel_wrapping_map_errno").orElse("?"),
                checks.value("kernel_wrapping_unmap_errno").orElse("?"));
    }

    @TestFactory
    Stream<DynamicTest> everyCheckPassed() {
        return ExpectedChecks.each(checks, CHECKS, result.consoleLog());
    }

    @Test
    void theGuestProgramExitedCleanly() {
        assertThat(result.exitStatus()).as("output:%n%s", result.output()).isZero();
    }
}
