package io.dmazone.vm;

import io.dmazone.Sizes;
import io.dmazone.zone.VIommu;
import io.dmazone.zone.ZoneSpec;
import java.time.Duration;

/** The nested scenarios the main job and the tests share. */
public final class Scenarios {
    private Scenarios() {
    }

    /**
     * L2's memory in every nested scenario: room for a 64 MiB zone, busybox, iperf3 and the
     * kernel's DMA-API debugging entries. Under TCG inside TCG the kernel's memory setup is a
     * visible part of L2's boot: in one side-by-side pair, 256 MiB reached /init 6 s of uptime
     * sooner than 512 MiB (33.1 s).
     */
    public static final int L2_MEMORY_MIB = 256;

    /**
     * The zone the matrix's zone modes use: 64 MiB, built from 2 MiB pages by dmazone.ko, which
     * takes its size from the zone plan's kernel parameters ({@link NestedSpec#l2Zone()}).
     */
    public static final ZoneSpec MATRIX_ZONE = ZoneSpec.pageBuilt(64 * Sizes.MIB);
    /** {@link #MATRIX_ZONE} in KiB. */
    public static final long MATRIX_ZONE_KIB = MATRIX_ZONE.size() / 1024;

    /** The pin budget of the uncooperative-guest runs: the matrix's zone, in bytes. */
    public static final long PIN_BUDGET_BYTES = MATRIX_ZONE_KIB * 1024;

    /**
     * A guest that maps beyond its zone: L2's QEMU starts under a pin budget of the zone
     * ({@link #PIN_BUDGET_BYTES}, no CAP_IPC_LOCK), L2 (virtio-iommu, boot-bypass off) attaches
     * L1's edu to the zone, then maps {@code extraMiB} of ordinary memory into the device's
     * domain and has edu write there (see l2-uncooperative.sh and l1-uncooperative.sh).
     */
    public static NestedSpec overMappingGuest(String name, int extraMiB) {
        return uncooperative(name, "over-map", extraMiB)
                .l2Zone(MATRIX_ZONE)
                .l2Module(Project.root().resolve("kmod/dmazone.ko").toString())
                .l2Module(Project.root().resolve("kmod/test-client/dmazone_edu_test.ko").toString())
                .build();
    }

    /**
     * A guest that asks for an identity map of all its RAM: the budget of
     * {@link #overMappingGuest}, no dmazone, and L2 booted with {@code iommu.passthrough=1}.
     */
    public static NestedSpec identityMapGuest(String name) {
        return uncooperative(name, "identity", 0)
                .l2Module(Project.root().resolve("kmod/test-client/dmazone_edu_test.ko").toString())
                .l2KernelArg("iommu.passthrough=1")
                .build();
    }

    private static NestedSpec.Builder uncooperative(String name, String kase, int extraMiB) {
        return NestedSpec.builder(name)
                .l2MemoryMiB(L2_MEMORY_MIB)
                .l2Viommu(VIommu.VIRTIO_IOMMU)
                .passthrough(GuestDevice.EDU_64BIT)
                .l2MemlockBudget(PIN_BUDGET_BYTES)
                .l2Command(L2Commands.uncooperative(kase, extraMiB))
                .l1Companion(L1Companions.uncooperative(PIN_BUDGET_BYTES));
    }

    /**
     * The zone mode's correctness, nested (intel-iommu in L2, the matrix's 64 MiB zone):
     * ping flood and iperf3 without IOMMU faults, {@code cycles} reloads with L1's VmLck read
     * after each, and the kill of L2's QEMU followed by a second QEMU with the same device (see
     * l1-zone-correctness.sh). {@code driver} is {@link L2Driver#PATCHED} (then an out-of-zone
     * RX descriptor is blocked and recovered from as well) or {@link L2Driver#STOCK_DMA_OPS}
     * (the stock e1000e on dmazone's DMA ops, unbound and bound again in every cycle).
     */
    public static NestedSpec zoneCorrectness(String name, int cycles, L2Driver driver) {
        NestedSpec.Builder b = NestedSpec.builder(name)
                .l2MemoryMiB(L2_MEMORY_MIB)
                .l2Viommu(VIommu.INTEL_IOMMU)
                .passthrough(GuestDevice.E1000E_HUB)
                .l2Binary("/usr/bin/iperf3")
                .l2Zone(MATRIX_ZONE)
                .l2Module(Project.root().resolve("kmod/dmazone.ko").toString())
                // reloads take the plan's size too
                .l2Command(L2Commands.zoneCorrectness(driver, "size=" + Sizes.hex(MATRIX_ZONE.size()), cycles))
                .l1Companion(L1Companions.zoneCorrectness(MATRIX_ZONE_KIB, cycles, driver == L2Driver.PATCHED));
        if (driver == L2Driver.STOCK_DMA_OPS) {
            b.l2CommandModule(NestedSpec.e1000eModule());
        } else {
            b.l2Module(Project.root().resolve("guest-driver/build/e1000e.ko").toString());
        }
        return b.build();
    }

    /** What the NVMe runs write and read back, and time each way: 256 MiB. */
    public static final int NVME_MIB = 256;

    /**
     * The passed-through NVMe with L2's stock nvme driver ({@link L2Commands#nvme}): with
     * {@code zone}, L2 gets the matrix's zone under virtio-iommu (boot-bypass off) and the
     * controller is served by dmazone's DMA ops, while L1 holds L2's QEMU to the zone's pin
     * budget; without, no vIOMMU and L1 pins all of L2 (full pinning).
     */
    public static NestedSpec nvme(String name, boolean zone) {
        return nvme(name, zone, false);
    }

    /**
     * {@link #nvme(String, boolean)} on the zone, then its exhaustion: dmazone reloaded with a
     * zone too small for the I/O that follows ({@link L2Commands#nvme}).
     */
    public static NestedSpec nvmeWithExhaustion(String name) {
        return nvme(name, true, true);
    }

    private static NestedSpec nvme(String name, boolean zone, boolean exhaustion) {
        NestedSpec.Builder b = NestedSpec.builder(name)
                .l2MemoryMiB(L2_MEMORY_MIB)
                .passthrough(GuestDevice.NVME)
                .l2CommandModule(Kernels.selected().requireModule("kernel/drivers/nvme/host/nvme-core"))
                .l2CommandModule(Kernels.selected().requireModule("kernel/drivers/nvme/host/nvme"))
                // a production guest's cost, as in the matrix: DMA-API debugging off
                .l2KernelArg("dma_debug=off")
                .l2Command(L2Commands.nvme(zone, NVME_MIB, exhaustion))
                // 1.3 GiB of I/O emulated twice over (the run's command took 386 s of the 480 s default
                // on a slow day when L2 still computed an MD5 of 256 MiB); the limit only catches a
                // command that hangs
                .l2Timeout(Duration.ofMinutes(15))
                .l1Companion(L1Companions.nvme(zone));
        if (zone) {
            b.l2Viommu(VIommu.VIRTIO_IOMMU)
                    .l2Zone(MATRIX_ZONE)
                    .l2Module(Project.root().resolve("kmod/dmazone.ko").toString())
                    .l2QemuWithoutIpcLock(true);
        }
        return b.build();
    }
}
