package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.zone.VIommu;
import io.dmazone.zone.ZoneSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test 4, bad input: a bad spec fails before anything boots, naming the field. The specs name
 * a stand-in kernel file, so the test needs no built kernel.
 */
class VmSpecValidationTest {
    @TempDir
    static Path dir;

    static VmSpec.Builder spec(String name) throws Exception {
        Path kernel = dir.resolve("bzImage");
        if (!Files.exists(kernel)) {
            Files.writeString(kernel, "stand-in");
        }
        return VmSpec.builder(name).kernel(kernel);
    }

    @Test
    void missingKernelIsNamed() throws Exception {
        assertThatThrownBy(() -> VmSpec.builder("bad").kernel(Path.of("/boot/no-such-vmlinuz")).command("true").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("kernel: /boot/no-such-vmlinuz does not exist")
                .hasMessageContaining("ci/setup");
    }

    @Test
    void zeroMemoryIsNamed() throws Exception {
        assertThatThrownBy(() -> spec("bad").memoryMiB(0).command("true").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("memoryMiB: 0 must be positive");
    }

    @Test
    void unknownDeviceIsNamedWithTheKnownOnes() throws Exception {
        assertThatThrownBy(() -> spec("bad").device("e1000x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("devices: unknown device 'e1000x'; use one of e1000e, e1000e-hub, edu, edu-64bit, nvme");
    }

    @Test
    void viommuNeedsQ35() throws Exception {
        assertThatThrownBy(() -> spec("bad").machine("pc").viommu(VIommu.INTEL_IOMMU).command("true").build())
                .hasMessageStartingWith("machine: the vIOMMU intel-iommu needs q35");
    }

    @Test
    void missingCommandAndBadNameAreNamed() throws Exception {
        assertThatThrownBy(() -> spec("bad").build()).hasMessageStartingWith("command:");
        assertThatThrownBy(() -> spec("no spaces").command("true").build()).hasMessageStartingWith("name:");
    }

    @Test
    void kernelCommandLineOverflowIsNamed() throws Exception {
        assertThatThrownBy(() -> spec("bad").kernelArg("x=" + "y".repeat(1100)).command("true").build())
                .hasMessageStartingWith("kernelArgs: 1103 bytes; at most 1024 fit");
    }

    @Test
    void sharedDirMustLieUnderGuestTmp() throws Exception {
        assertThatThrownBy(() -> new SharedDir(Path.of("/tmp"), "/srv/share")).hasMessageContaining("under /tmp");
    }

    @Test
    void nestedSpecBoundsAreNamed() throws Exception {
        assertThatThrownBy(() -> NestedSpec.builder("n").l2MemoryMiB(2048).passthrough(GuestDevice.E1000E)
                .l2Command("true").build()).hasMessageStartingWith("l2MemoryMiB: 2048");
        assertThatThrownBy(() -> NestedSpec.builder("n").l2Command("true").build())
                .hasMessageStartingWith("passthrough:");
        assertThatThrownBy(() -> NestedSpec.builder("n").passthrough(GuestDevice.EDU).passthrough(GuestDevice.EDU_64BIT)
                .l2Command("true").build()).hasMessageContaining("names one PCI device twice");
        assertThatThrownBy(() -> NestedSpec.builder("n").passthrough(GuestDevice.E1000E)
                .l2Module("/no/such/module.ko").l2Command("true").build())
                .hasMessageStartingWith("l2Modules: /no/such/module.ko does not exist");
    }

    /** A module L2's command loads is one file, which must exist; its parameters are the command's. */
    @Test
    void aCommandModuleIsOneExistingFile() throws Exception {
        assertThatThrownBy(() -> NestedSpec.builder("n").passthrough(GuestDevice.E1000E)
                .l2CommandModule("/no/such/e1000e.ko").l2Command("true").build())
                .hasMessageStartingWith("l2CommandModules: /no/such/e1000e.ko does not exist");
        assertThatThrownBy(() -> NestedSpec.builder("n").passthrough(GuestDevice.E1000E)
                .l2CommandModule("kernel/e1000e.ko debug=1").l2Command("true").build())
                .hasMessageStartingWith("l2CommandModules: 'kernel/e1000e.ko debug=1' must be one module file");
        assertThat(NestedSpec.builder("n").passthrough(GuestDevice.E1000E).l2CommandModule("kernel/e1000e.ko")
                .l2Command("true").build().l2CommandModules()).containsExactly("kernel/e1000e.ko");
    }

    /** intel-iommu pins all of L2's RAM as its QEMU starts: under a zone budget the harness refuses to start it. */
    @Test
    void aPinBudgetTheVIommuExceedsAtStartupIsRefused() throws Exception {
        assertThatThrownBy(() -> NestedSpec.builder("n").l2MemoryMiB(256).l2Viommu(VIommu.INTEL_IOMMU)
                .passthrough(GuestDevice.EDU).l2MemlockBudget(64L << 20).l2Command("true").build())
                .hasMessageStartingWith("l2MemlockBudgetBytes: with intel-iommu L2's QEMU pins 320 MiB as it starts, "
                        + "above the budget of 64 MiB");
        NestedSpec virtio = NestedSpec.builder("n").l2MemoryMiB(256).l2Viommu(VIommu.VIRTIO_IOMMU)
                .passthrough(GuestDevice.EDU).l2MemlockBudget(64L << 20).l2Command("true").build();
        assertThat(virtio.l2QemuWithoutIpcLock()).as("a budget binds only without CAP_IPC_LOCK").isTrue();
        assertThatThrownBy(() -> NestedSpec.builder("n").passthrough(GuestDevice.EDU).l2MemlockBudget(-1)
                .l2Command("true").build()).hasMessageStartingWith("l2MemlockBudgetBytes: -1");
    }

    @Test
    void nestedZoneMustLeaveL2ItsOwnMemory() {
        NestedSpec fits = NestedSpec.builder("n").l2MemoryMiB(256).l2Zone(ZoneSpec.pageBuilt(128L << 20))
                .passthrough(GuestDevice.EDU).l2Command("true").build();
        assertThat(fits.l2Zone().size()).isEqualTo(128L << 20);
        assertThatThrownBy(() -> NestedSpec.builder("n").l2MemoryMiB(256).l2Zone(ZoneSpec.pageBuilt(130L << 20))
                .passthrough(GuestDevice.EDU).l2Command("true").build())
                .hasMessageStartingWith("l2Zone: ").hasMessageContaining("less than 128 MiB");
    }

    @Test
    void zoneReachesL1InTheFormItParses() {
        ZoneSpec pages = ZoneSpec.pageBuilt(64L << 20);
        ZoneSpec window = ZoneSpec.of(64L << 20, 0x40000000L);
        assertThat(NestedRun.zoneText(pages)).isEqualTo("0x4000000");
        assertThat(NestedRun.zoneText(window)).isEqualTo("0x4000000@0x40000000");
        assertThat(ZoneSpec.parse(NestedRun.zoneText(pages))).isEqualTo(pages);
        assertThat(ZoneSpec.parse(NestedRun.zoneText(window))).isEqualTo(window);
    }

    @Test
    void guestChecksParseVerdictsAndValues() throws Exception {
        GuestChecks c = GuestChecks.parse("noise\nKTAP version 1\nok 1 a # fine detail\nnot ok 2 b # attach FAIL -95\n"
                + "# VALUE line DMAR: [DMA Write] x\n1..2\n");
        assertThat(c.check("a")).hasValueSatisfying(x -> assertThat(x.passed()).isTrue());
        assertThat(c.check("b")).hasValueSatisfying(x -> assertThat(x.detail()).isEqualTo("attach FAIL -95"));
        assertThat(c.value("line")).hasValue("DMAR: [DMA Write] x");
        assertThat(c.check("missing")).isEmpty();
    }
}
