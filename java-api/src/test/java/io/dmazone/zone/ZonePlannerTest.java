package io.dmazone.zone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dmazone.Sizes;
import io.dmazone.memory.MemlockLimit;
import io.dmazone.memory.ResourceLimits;
import io.dmazone.sysfs.PciAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ZonePlannerTest {
    static final PciAddress NIC = PciAddress.parse("0000:00:09.0");
    static final PciAddress EDU = PciAddress.parse("0000:00:0a.0");
    static final ZoneSpec ZONE = ZoneSpec.parse("64M@0x40000000");

    @Test
    void zoneSpecValues() {
        assertThat(ZONE.size()).isEqualTo(64 * Sizes.MIB);
        assertThat(ZONE.guestPhysBase()).isEqualTo(0x40000000L);
        assertThat(ZONE.alignment()).isEqualTo(2 * Sizes.MIB);
        assertThat(ZONE.end()).isEqualTo(0x44000000L);
        assertThat(ZONE.memmapParameter()).isEqualTo("memmap=64M$0x40000000");
        assertThat(new ZoneSpec(8192, 4096, 0x100000).memmapParameter()).isEqualTo("memmap=0x2000$0x100000");
        assertThat(ZONE.contains(0x40000000L, 64 * Sizes.MIB)).isTrue();
        assertThat(ZONE.contains(0x40000000L, 64 * Sizes.MIB + 1)).isFalse();
        assertThat(ZONE.contains(0x3ffff000L, 4096)).isFalse();
    }

    @Test
    void badZoneSpecsSayWhatToDo() {
        assertThatThrownBy(() -> ZoneSpec.of(3 * Sizes.MIB, 0x40000000L)).hasMessageContaining("round it up, e.g. to 4 MiB");
        assertThatThrownBy(() -> ZoneSpec.of(0, 0x40000000L)).hasMessageContaining("positive multiple");
        assertThatThrownBy(() -> ZoneSpec.of(64 * Sizes.MIB, 0x1000)).hasMessageContaining("first MiB");
        assertThatThrownBy(() -> ZoneSpec.of(64 * Sizes.MIB, 0x40001000L)).hasMessageContaining("e.g. 0x40000000");
        assertThatThrownBy(() -> new ZoneSpec(64 * Sizes.MIB, 3000, 0x40000000L)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> ZoneSpec.of(64 * Sizes.MIB, 0x7fffffffffe00000L)).hasMessageContaining("wraps");
        assertThatThrownBy(() -> ZoneSpec.parse(" ")).hasMessageContaining("SIZE@BASE");
        assertThatThrownBy(() -> ZoneSpec.parse("lots@0x40000000")).hasMessageContaining("cannot read size");
    }

    @Test
    void aSizeAloneIsAPageBuiltZone() {
        ZoneSpec z = ZoneSpec.parse("64M");
        assertThat(z.isPageBuilt()).isTrue();
        assertThat(z.size()).isEqualTo(64 * Sizes.MIB);
        assertThat(z.contains(0x40000000L, 4096)).isFalse();
        assertThatThrownBy(z::memmapParameter).isInstanceOf(IllegalStateException.class).hasMessageContaining("SIZE@BASE");
        assertThatThrownBy(() -> ZoneSpec.parse("3M")).hasMessageContaining("round it up, e.g. to 4 MiB");
    }

    @Test
    void aPageBuiltZoneReservesNothingAndIsSizedForEveryDevice() {
        ZonePlan p = ZonePlanner.forZone(ZoneSpec.parse("64M"), 512 * Sizes.MIB).viommu(VIommu.VIRTIO_IOMMU)
                .device(NIC).device(EDU).plan();
        assertThat(p.kernelCmdline()).containsExactly("dmazone.size=0x4000000");
        assertThat(p.memlockBytes()).isEqualTo(128 * Sizes.MIB);
        assertThat(p.notes()).anyMatch(n -> n.contains("modprobe dmazone size=0x4000000"));
        assertThatThrownBy(() -> ZonePlanner.forZone(ZoneSpec.parse("448M"), 512 * Sizes.MIB).device(NIC).plan())
                .hasMessageContaining("less than 128 MiB");
    }

    @Test
    void aHotAddedIntelPlanStartsWithRootPortsAndPinsOnlyTheZone() {
        ZonePlan p = ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).device(NIC).device(EDU).hotAdd().plan();
        assertThat(p.qemuArgs()).containsExactly("-machine", "q35", "-m", "2048M",
                "-device", "intel-iommu,intremap=on,caching-mode=on",
                "-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off",
                "-device", "pcie-root-port,id=dmazone-port0,chassis=1",
                "-device", "pcie-root-port,id=dmazone-port1,chassis=2");
        assertThat(p.hotAddDevices()).containsExactly("vfio-pci,host=0000:00:09.0,bus=dmazone-port0,id=dmazone-dev0",
                "vfio-pci,host=0000:00:0a.0,bus=dmazone-port1,id=dmazone-dev1");
        assertThat(p.kernelCmdline()).endsWith("intel_iommu=on", "pcie_ports=native");
        assertThat(p.startupPinnedBytes()).isZero();
        assertThat(p.memlockBytes()).isEqualTo(2 * 64 * Sizes.MIB);
        assertThat(p.notes()).anyMatch(n -> n.contains("device_add")).noneMatch(n -> n.contains("before QEMU starts"));
        p.requireWithin(2 * 64 * Sizes.MIB);
    }

    @Test
    void aPlanThatStartsWithItsDevicesHasNoneToAdd() {
        assertThat(ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).device(NIC).plan().hotAddDevices()).isEmpty();
    }

    @Test
    void hotAddWithoutAVIommuIsRefused() {
        assertThatThrownBy(() -> ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).viommu(VIommu.NONE).device(NIC).hotAdd().plan())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a vIOMMU");
    }

    @Test
    void intelIommuPlan() {
        ZonePlan p = ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).device(NIC).plan();
        assertThat(p.qemuArgs()).containsExactly("-machine", "q35", "-m", "2048M",
                "-device", "intel-iommu,intremap=on,caching-mode=on", "-device", "vfio-pci,host=0000:00:09.0");
        assertThat(p.kernelCmdlineString())
                .isEqualTo("memmap=64M$0x40000000 dmazone.base=0x40000000 dmazone.size=0x4000000 intel_iommu=on");
        assertThat(p.startupPinnedBytes()).isEqualTo(2 * Sizes.GIB + ZonePlanner.FIRMWARE_SLACK);
        assertThat(p.steadyPinnedBytes()).isEqualTo(64 * Sizes.MIB);
        assertThat(p.memlockBytes()).isEqualTo(p.startupPinnedBytes());
        assertThat(p.memlockLimit()).isEqualTo(MemlockLimit.of(p.memlockBytes()));
        assertThat(p.notes()).anyMatch(n -> n.contains("before QEMU starts"));
    }

    @Test
    void intelIommuWithKvmSplitsTheIrqchipAndCountsEachDevice() {
        ZonePlan p = ZonePlanner.forZone(ZoneSpec.parse("64M@0x10000000"), 512 * Sizes.MIB).kvm(true).device(NIC).device(EDU).plan();
        assertThat(p.qemuArgs()).startsWith("-machine", "q35,kernel-irqchip=split");
        assertThat(p.qemuArgs()).endsWith("-device", "vfio-pci,host=0000:00:09.0", "-device", "vfio-pci,host=0000:00:0a.0");
        assertThat(p.memlockBytes()).isEqualTo(2 * (512 * Sizes.MIB + ZonePlanner.FIRMWARE_SLACK));
        assertThat(p.steadyPinnedBytes()).isEqualTo(128 * Sizes.MIB);
    }

    /** A host budget of the zone: what pins beyond it at startup or in steady state is refused with the reason. */
    @Test
    void aPlanIsCheckedAgainstAHostBudgetBeforeQemuStarts() {
        long zone = 64 * Sizes.MIB;
        ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).viommu(VIommu.VIRTIO_IOMMU).device(NIC).plan().requireWithin(zone);
        assertThatThrownBy(() -> ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).viommu(VIommu.INTEL_IOMMU).device(NIC).plan()
                .requireWithin(zone))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intel-iommu QEMU pins 2.1 GiB as it starts")
                .hasMessageContaining("above the budget of 64 MiB")
                .hasMessageContaining("use virtio-iommu");
        assertThatThrownBy(() -> ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).viommu(VIommu.NONE).device(NIC).plan()
                .requireWithin(zone)).hasMessageContaining("all guest RAM, for good");
        assertThatThrownBy(() -> ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).viommu(VIommu.VIRTIO_IOMMU).device(NIC)
                .device(PciAddress.parse("0000:00:0a.0")).plan().requireWithin(zone))
                .hasMessageContaining("the zone for 2 device(s) pins 128 MiB, above the budget of 64 MiB");
        assertThatThrownBy(() -> ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).viommu(VIommu.VIRTIO_IOMMU).device(NIC).plan()
                .requireWithin(0)).hasMessageStartingWith("memlock budget: 0");
    }

    @Test
    void virtioIommuWithoutBootBypassPinsOnlyTheZone() {
        ZonePlan p = ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).viommu(VIommu.VIRTIO_IOMMU).device(NIC).plan();
        assertThat(p.qemuArgs()).containsSequence("-device", "virtio-iommu-pci,boot-bypass=off");
        assertThat(p.kernelCmdline()).containsExactly("memmap=64M$0x40000000", "dmazone.base=0x40000000", "dmazone.size=0x4000000");
        assertThat(p.startupPinnedBytes()).isZero();
        assertThat(p.memlockBytes()).isEqualTo(64 * Sizes.MIB);
        assertThat(p.notes()).anyMatch(n -> n.contains("qboot"));
    }

    @Test
    void noViommuIsTheFullPinningBaseline() {
        ZonePlan p = ZonePlanner.forZone(ZoneSpec.parse("64M@0x10000000"), 512 * Sizes.MIB).viommu(VIommu.NONE).device(NIC).device(EDU).plan();
        assertThat(p.qemuArgs()).doesNotContain("intel-iommu,intremap=on,caching-mode=on");
        assertThat(p.memlockBytes()).isEqualTo(512 * Sizes.MIB + ZonePlanner.FIRMWARE_SLACK);
    }

    @Test
    void bigZonesWarnAboutTheDmaEntryLimit() {
        ZonePlan p = ZonePlanner.forZone(ZoneSpec.parse("512M@0x40000000"), 2 * Sizes.GIB).device(NIC).plan();
        assertThat(p.notes()).anyMatch(n -> n.contains("dma_entry_limit=132096"));
    }

    @Test
    void zonesAboveFourGibFollowTheQ35Layout() {
        // 4 GiB guest: [0, 2G) and [4G, 6G)
        ZonePlan p = ZonePlanner.forZone(ZoneSpec.parse("1G@0x100000000"), 4 * Sizes.GIB).device(NIC).plan();
        assertThat(p.kernelCmdline()).contains("memmap=1024M$0x100000000");
        assertThatThrownBy(() -> ZonePlanner.forZone(ZoneSpec.parse("64M@0x90000000"), 4 * Sizes.GIB).device(NIC).plan())
                .hasMessageContaining("[0x0-0x80000000), [0x100000000-0x180000000)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"64M@0x40000000", "64M@0x1fe00000"})
    void zonesOutsideRamAreRejected(String zone) {
        assertThatThrownBy(() -> ZonePlanner.forZone(ZoneSpec.parse(zone), 512 * Sizes.MIB).device(NIC).plan())
                .hasMessageContaining("is not inside the guest RAM of a 512 MiB q35 guest");
    }

    @Test
    void otherBadPlans() {
        assertThatThrownBy(() -> ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).plan()).hasMessageContaining("at least one device");
        assertThatThrownBy(() -> ZonePlanner.forZone(ZONE, 2 * Sizes.GIB).device(NIC).device(NIC))
                .hasMessageContaining("already in the plan");
        assertThatThrownBy(() -> ZonePlanner.forZone(ZONE, 1000)).hasMessageContaining("whole number of MiB");
        assertThatThrownBy(() -> ZonePlanner.forZone(ZoneSpec.parse("416M@0x4000000"), 512 * Sizes.MIB).device(NIC).plan())
                .hasMessageContaining("less than 128 MiB");
        assertThatThrownBy(() -> new ZonePlan(ZONE, Sizes.GIB, VIommu.NONE, List.of(NIC), List.of(), List.of(), List.of(), 10, 20, 0, List.of()))
                .hasMessageContaining("cover the startup");
    }

    /**
     * The memlock budget per vIOMMU, worked out by hand rather than by the planner's formula:
     * without a vIOMMU one container maps all guest RAM plus the ROM/VGA slack (64 MiB) once,
     * whatever the device count; intel-iommu maps that into one container per device until the
     * guest turns DMAR on; virtio-iommu with boot-bypass=off maps nothing before the guest,
     * then the zone once per device. Figures in MiB; a 4 GiB guest has [0, 2G) + [4G, 6G).
     */
    @ParameterizedTest(name = "{0}, {1} MiB guest, {2} device(s): {3} MiB")
    @CsvSource({
        "NONE,          512,  1, 576",
        "NONE,          512,  2, 576",
        "NONE,          4096, 2, 4160",
        "INTEL_IOMMU,   512,  1, 576",
        "INTEL_IOMMU,   512,  2, 1152",
        "INTEL_IOMMU,   4096, 2, 8320",
        "VIRTIO_IOMMU,  512,  1, 64",
        "VIRTIO_IOMMU,  512,  2, 128",
        "VIRTIO_IOMMU,  4096, 2, 128"})
    void memlockBudgetPerViommuFromTheRamLayout(VIommu v, long guestMiB, int devices, long expectedMiB) {
        ZonePlanner planner = ZonePlanner.forZone(ZoneSpec.parse("64M@0x10000000"), guestMiB * Sizes.MIB).viommu(v);
        planner.device(EDU);
        if (devices == 2) {
            planner.device(NIC);
        }
        ZonePlan p = planner.plan();
        assertThat(p.memlockBytes()).isEqualTo(expectedMiB * Sizes.MIB);
        assertThat(p.kernelCmdline()).startsWith("memmap=64M$0x10000000");
    }

    @Test
    void applyingAPlanSetsTheChildsMemlockLimit() throws Exception {
        // A 2 MiB zone: within the default hard limit, so no CAP_SYS_RESOURCE is needed.
        ZonePlan p = ZonePlanner.forZone(ZoneSpec.parse("2M@0x40000000"), 2 * Sizes.GIB)
                .viommu(VIommu.VIRTIO_IOMMU).device(EDU).plan();
        MemlockLimit mine = ResourceLimits.memlock();
        org.junit.jupiter.api.Assumptions.assumeTrue(mine.unlimited() || Long.compareUnsigned(mine.hard(), p.memlockBytes()) >= 0,
                "needs a hard memlock limit of at least 2 MiB");
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            p.applyTo(child);
            assertThat(ResourceLimits.memlock(child.pid())).isEqualTo(MemlockLimit.of(2 * Sizes.MIB));
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
