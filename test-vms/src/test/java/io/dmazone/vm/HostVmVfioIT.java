package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.zone.VIommu;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Test 1: the L1 "host" VM has IOMMU groups and hands its e1000e and edu to vfio-pci through the Java API. */
@Tag("vm")
class HostVmVfioIT {
    private static VmResult result;
    private static GuestChecks checks;

    @BeforeAll
    static void boot() {
        // L1 binds them as nested runs do: the Java API, run in L1 (PassthroughDevices).
        result = Vm.run(VmSpec.builder("l1-vfio")
                .viommu(VIommu.INTEL_IOMMU)
                .device(GuestDevice.E1000E)
                .device(GuestDevice.EDU)
                .command("modprobe vfio-pci; java -cp '" + Project.guestClasspath()
                        + "' io.dmazone.guest.PassthroughDevices " + GuestDevice.E1000E.pciId() + " "
                        + GuestDevice.EDU.pciId())
                .timeout(Duration.ofMinutes(4))
                .build());
        checks = GuestChecks.parse(result.output());
        System.out.printf("l1-vfio: accel %s, kernel %s, booted in %.1f s, %.1f s wall%n",
                result.accel(), result.guestKernel(), result.bootSeconds(), result.wallSeconds());
    }

    @Test
    void guestRanTheTestKernelAndEveryCheckPassed() {
        assertThat(result.guestKernel()).isEqualTo(Kernels.release());
        assertThat(checks.checks()).as("checks printed by the guest").isNotEmpty();
        assertThat(result.exitStatus()).as("guest exit status; output:%n%s", result.output()).isZero();
    }

    @Test
    void iommuGroupsExist() {
        assertThat(checks.check("iommu-groups")).hasValueSatisfying(c -> assertThat(c.passed()).isTrue());
        assertThat(checks.check("dmar-enabled")).hasValueSatisfying(c -> assertThat(c.passed()).isTrue());
        assertThat(Integer.parseInt(checks.value("iommu_groups").orElseThrow())).isPositive();
    }

    @Test
    void e1000eBindsToVfioPci() {
        assertThat(checks.check("bind-" + GuestDevice.E1000E.pciId()))
                .hasValueSatisfying(c -> assertThat(c.passed()).as(c.detail()).isTrue());
    }

    @Test
    void eduBindsToVfioPci() {
        assertThat(checks.check("bind-" + GuestDevice.EDU.pciId()))
                .hasValueSatisfying(c -> assertThat(c.passed()).as(c.detail()).isTrue());
    }

    @Test
    void devicesSitInDifferentGroups() {
        assertThat(checks.value("group-" + GuestDevice.E1000E.pciId()))
                .isNotEqualTo(checks.value("group-" + GuestDevice.EDU.pciId()));
    }
}
