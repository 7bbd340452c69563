package io.dmazone.measure;

import io.dmazone.vm.GuestDevice;
import io.dmazone.vm.HubLane;
import io.dmazone.vm.InsnCounter;
import io.dmazone.vm.L1Companions;
import io.dmazone.vm.L2Commands;
import io.dmazone.vm.L2Driver;
import io.dmazone.vm.NestedSpec;
import io.dmazone.vm.Project;
import io.dmazone.vm.Scenarios;
import io.dmazone.zone.VIommu;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The ways of giving L2 the e1000e that the throughput matrix compares, side by side. */
public enum MatrixMode {
    /** No L2 vIOMMU, stock e1000e: L1 pins all of L2's RAM at start. */
    FULL_PINNING("full pinning", VIommu.NONE, L2Driver.STOCK, List.of()),
    /** L2 intel-iommu (caching mode), stock e1000e, strict invalidation: every map is a VFIO call. */
    VIOMMU_DYNAMIC("vIOMMU dynamic", VIommu.INTEL_IOMMU, L2Driver.STOCK, List.of("iommu.strict=1")),
    /** dmazone.ko and the patched e1000e under an L2 intel-iommu. */
    ZONE_INTEL("zone / intel-iommu", VIommu.INTEL_IOMMU, L2Driver.PATCHED, List.of()),
    /**
     * As {@link #ZONE_INTEL}, but L2's QEMU starts without the e1000e, and L1 adds it over QMP
     * (into a PCIe root port) once L2's IOMMU is on ({@link io.dmazone.zone.ZonePlanner#hotAdd()}):
     * its address space is translated from its first mapping, so QEMU never pins all of L2's
     * RAM, and L1 holds L2's QEMU to a pin budget of the zone as with virtio-iommu.
     */
    ZONE_INTEL_HOT_ADD("zone / intel-iommu, hot-added", VIommu.INTEL_IOMMU, L2Driver.PATCHED, List.of(), true),
    /**
     * As {@link #ZONE_INTEL}, but the patched e1000e copies each frame it sends into a zone
     * buffer of its own, allocated at transmit and freed at completion (its first design,
     * {@code e1000e.dmazone_tx_per_frame=1}), instead of into the Tx slots' buffers: what the
     * per-slot buffers are measured against.
     */
    ZONE_INTEL_TX_PER_FRAME("zone / intel-iommu, Tx per frame", VIommu.INTEL_IOMMU, L2Driver.PATCHED,
            List.of("e1000e.dmazone_tx_per_frame=1")),
    /**
     * dmazone.ko and the patched e1000e under an L2 virtio-iommu that maps nothing before the
     * guest does; L2's QEMU runs without CAP_IPC_LOCK and L1 gives it, through the Java API,
     * an RLIMIT_MEMLOCK of exactly the zone.
     */
    ZONE_VIRTIO("zone / virtio-iommu boot-bypass=off", VIommu.VIRTIO_IOMMU, L2Driver.PATCHED, List.of()),
    /**
     * As {@link #ZONE_VIRTIO}, but the stock e1000e, whose DMA API dmazone.ko's transparent mode
     * serves from the zone (every buffer bounced through it): the patched driver's twin.
     */
    ZONE_DMA_OPS("zone / DMA ops, stock e1000e, virtio", VIommu.VIRTIO_IOMMU, L2Driver.STOCK_DMA_OPS, List.of());

    private final String label;
    private final VIommu viommu;
    /** Beyond its seconds, what one iperf3 run may take: connecting, and L1's sampling after it. */
    private static final int IPERF_MARGIN_SECONDS = 30;

    private final L2Driver driver;
    private final List<String> kernelArgs;

    private final boolean hotAdd;

    MatrixMode(String label, VIommu viommu, L2Driver driver, List<String> kernelArgs) {
        this(label, viommu, driver, kernelArgs, false);
    }

    MatrixMode(String label, VIommu viommu, L2Driver driver, List<String> kernelArgs, boolean hotAdd) {
        this.label = label;
        this.viommu = viommu;
        this.driver = driver;
        this.kernelArgs = kernelArgs;
        this.hotAdd = hotAdd;
    }

    public String label() {
        return label;
    }

    /** The mode's name in files and lanes: {@code zone-intel} for ZONE_INTEL. */
    public String slug() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * This mode as lane {@code lane} of a side-by-side run of {@code lanes} modes
     * ({@link io.dmazone.vm.SideBySideRun}): L2 ({@link Scenarios#L2_MEMORY_MIB}) gets the lane's
     * e1000e, which shares the lane's hub of the outer QEMU with one of L1's virtio-net NICs, and
     * serves iperf3 over it until every lane's rounds are done; in each of its turns L1 measures
     * throughput, pinned memory, CPU time, VFIO map calls and, with a {@code counter} (null for
     * none) in L2's QEMU, L2's instructions, {@code seconds} each way (see l1-matrix.sh),
     * {@code rounds} turns in all.
     */
    public NestedSpec laneSpec(String name, int seconds, int rounds, HubLane lane, int lanes, InsnCounter counter) {
        Duration l2Timeout = NestedSpec.DEFAULT_L2_TIMEOUT.multipliedBy(lanes)
                .plus(turnTimeout(seconds).multipliedBy((long) rounds * lanes));
        return builder(name, L1Companions.matrix(seconds, rounds, zonePinBudget(), lane),
                L2Commands.serve(driver, hotAdd, lane.l2Settings(l2Timeout.toSeconds())), l2Timeout)
                .l2InsnCounter(counter)
                .build();
    }

    /** The longest one lane's turn (a run each way, retries included) may take in a side-by-side run. */
    public static Duration turnTimeout(int seconds) {
        return Duration.ofSeconds(2L * (seconds + IPERF_MARGIN_SECONDS) + 60);
    }

    private NestedSpec.Builder builder(String name, String companion, String l2Command, Duration l2Timeout) {
        NestedSpec.Builder b = NestedSpec.builder(name)
                .l2MemoryMiB(Scenarios.L2_MEMORY_MIB)
                .l2Viommu(viommu)
                .passthrough(GuestDevice.E1000E_HUB)
                .l2Binary("/usr/bin/iperf3")
                .l2Command(l2Command)
                .l1Companion(companion)
                // L2 serves until L1 is done
                .l2Timeout(l2Timeout)
                .l2QemuWithoutIpcLock(zonePinBudget());
        kernelArgs.forEach(b::l2KernelArg);
        // The lean test kernel's DMA-API debugging costs every map and unmap a lookup and a
        // check: a debugging aid, not what a production guest pays, and it would charge the
        // modes that map per packet (vIOMMU dynamic, the DMA ops) for it. Off in every lane;
        // the DMA ops' and the patched driver's own tests keep it on.
        b.l2KernelArg("dma_debug=off");
        // TCP sizes a socket's TSO packets to about 1 ms of its pacing rate less a share for
        // the path's RTT (tcp_tso_autosize), and TCP small queues lets two of them wait for their
        // Tx completion. At the milliseconds of RTT of TCG inside TCG that makes every packet
        // one or two segments, so L2 sent two segments per Tx-completion interrupt, and every
        // interrupt costs about a millisecond here: 1.7 interrupts and 1.5 register accesses
        // per KiB sent against 0.06 and 0.11 per KiB received, 4.7 Mbit/s sent against 24.9
        // received (full pinning, one run). With 64 segments a packet, as a microsecond RTT
        // gives on hardware, 0.09 interrupts per KiB sent and 28.9 Mbit/s (the next run).
        b.l2KernelArg("sysctl.net.ipv4.tcp_min_tso_segs=64");
        if (hotAdd) {
            b.l2HotAdd();
        }
        if (driver.zone()) {
            b.l2Zone(Scenarios.MATRIX_ZONE).l2Module(Project.root().resolve("kmod/dmazone.ko").toString());
        }
        switch (driver) {
            case STOCK -> b.l2Module(NestedSpec.e1000eModule());
            case PATCHED -> b.l2Module(Project.root().resolve("guest-driver/build/e1000e.ko").toString());
            case STOCK_DMA_OPS -> b.l2CommandModule(NestedSpec.e1000eModule());
        }
        return b;
    }

    public VIommu viommu() {
        return viommu;
    }

    /** Whether L2 runs dmazone.ko and has a zone. */
    public boolean zone() {
        return driver.zone();
    }

    public L2Driver driver() {
        return driver;
    }

    /**
     * The mode that differs from this one only in running the patched e1000e: the baseline of
     * the DMA ops' throughput target. Empty for a mode that runs no DMA ops.
     */
    public Optional<MatrixMode> patchedDriverTwin() {
        if (driver != L2Driver.STOCK_DMA_OPS) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(m -> m.driver == L2Driver.PATCHED && m.viommu == viommu
                && m.kernelArgs.equals(kernelArgs)).findFirst();
    }

    /**
     * Whether L1 holds L2's QEMU to a pin budget of the zone: only where QEMU pins nothing
     * before the guest maps its zone (virtio-iommu with boot-bypass off, a device added once
     * the IOMMU is on), since the budget is set once QEMU runs.
     */
    public boolean zonePinBudget() {
        return driver.zone() && (viommu == VIommu.VIRTIO_IOMMU || hotAdd);
    }

    /** Whether L1 adds L2's e1000e once L2's IOMMU is on, instead of at QEMU's start. */
    public boolean hotAdd() {
        return hotAdd;
    }

    /**
     * The checks L2's command prints in this mode, in order (l2-serve.sh, after l2-zone-check.sh
     * in the zone modes, after l2-dma-ops-select.sh with the DMA ops): one that is never printed
     * counts as failed.
     */
    public List<String> expectedL2Checks() {
        List<String> checks = new ArrayList<>();
        if (hotAdd) {
            checks.addAll(List.of("iommu_on_before_device", "device_hot_added"));
        }
        if (driver == L2Driver.STOCK_DMA_OPS) {
            checks.addAll(List.of("dma_ops_selected", "stock_e1000e_loaded"));
        }
        if (driver.zone()) {
            checks.add("zone-attached");
        }
        checks.addAll(List.of("e1000e_up", "iperf3_server", "l1_done"));
        if (driver == L2Driver.STOCK_DMA_OPS) {
            checks.add("dma_ops_served");
        }
        if (hotAdd) {
            checks.add("device_hot_removed");
        }
        checks.add("l2_kernel_log_clean");
        return List.copyOf(checks);
    }

    /**
     * The checks L1's companion prints in this mode with {@code rounds} rounds (l1-matrix.sh,
     * with ZonePinBudget's under a budget).
     */
    public List<String> expectedL1Checks(int rounds) {
        List<String> checks = new ArrayList<>(List.of("vfio_call_count"));
        if (zonePinBudget()) {
            checks.addAll(List.of("l2_qemu_without_ipc_lock", "pin_budget_applied", "pin_budget_before_guest_maps",
                    "pin_budget_set"));
        }
        checks.add("l1_nic_up");
        if (hotAdd) {
            checks.addAll(List.of("l2_iommu_on_before_hot_add", "device_add-dmazone-dev0", "devices_hot_added"));
        }
        checks.addAll(List.of("l2_ready", "l2_reachable"));
        for (int r = 1; r <= rounds; r++) {
            checks.addAll(List.of("l2rx_" + r + "_iperf3", "l2tx_" + r + "_iperf3"));
        }
        checks.addAll(List.of("no_l1_iommu_faults", "l2_released"));
        if (hotAdd) {
            checks.addAll(List.of("l2_ready_for_hot_remove", "device_del-dmazone-dev0", "devices_hot_removed"));
        }
        return List.copyOf(checks);
    }

    /** L2 kernel arguments the mode adds to the vIOMMU's own. */
    public List<String> kernelArgs() {
        return kernelArgs;
    }
}
