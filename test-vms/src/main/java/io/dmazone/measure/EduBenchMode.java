package io.dmazone.measure;

import io.dmazone.vm.GuestDevice;
import io.dmazone.vm.InsnCounter;
import io.dmazone.vm.L1Companions;
import io.dmazone.vm.L2Commands;
import io.dmazone.vm.NestedSpec;
import io.dmazone.vm.Project;
import io.dmazone.vm.Scenarios;
import io.dmazone.zone.VIommu;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How L2 gives QEMU's edu device its buffers in the edu benchmark: the matrix's three ways of
 * handling DMA, with a device whose round trips leave out the network stack.
 */
public enum EduBenchMode {
    /** No L2 vIOMMU: L1 pins all of L2's RAM; the DMA API's maps are free. */
    FULL_PINNING("full pinning", VIommu.NONE, false, List.of()),
    /** L2 intel-iommu (caching mode), strict: each map and unmap per transfer is a VFIO call in L1. */
    VIOMMU_DYNAMIC("vIOMMU dynamic", VIommu.INTEL_IOMMU, false, List.of("iommu.strict=1")),
    /** L2 intel-iommu with dmazone's zone: two zone buffers, mapped once, for every transfer. */
    ZONE("zone / intel-iommu", VIommu.INTEL_IOMMU, true, List.of());

    /**
     * L1's QEMU runs on instruction counting and, when every vCPU idles, moves its clock to the
     * next timer: edu completes a transfer 100 ms of QEMU's virtual time after it starts
     * (hw/misc/edu.c), which would cap every mode at 10 round trips a second on a real-time clock.
     */
    static final List<String> L1_QEMU_ARGS = List.of("-icount", "shift=auto,sleep=off");

    private final String label;
    private final VIommu viommu;
    private final boolean zone;
    private final List<String> kernelArgs;

    EduBenchMode(String label, VIommu viommu, boolean zone, List<String> kernelArgs) {
        this.label = label;
        this.viommu = viommu;
        this.zone = zone;
        this.kernelArgs = kernelArgs;
    }

    public String label() {
        return label;
    }

    /** The mode's name in files: {@code viommu-dynamic} for VIOMMU_DYNAMIC. */
    public String slug() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public boolean zone() {
        return zone;
    }

    /**
     * This mode's run: L1 (on icount) passes its edu through to L2, which runs {@code rounds}
     * rounds of {@code transfers} round trips (l2-edu-bench.sh) with {@code counter} in its QEMU
     * (null for none) while L1 takes each round's figures (l1-edu-bench.sh).
     */
    public NestedSpec spec(String name, int rounds, int transfers, InsnCounter counter) {
        NestedSpec.Builder b = NestedSpec.builder(name)
                .l2MemoryMiB(Scenarios.L2_MEMORY_MIB)
                .l2Viommu(viommu)
                .passthrough(GuestDevice.EDU_64BIT)
                .l2CommandModule(Project.root().resolve("kmod/test-client/dmazone_edu_test.ko").toString())
                // a production guest's cost, as in the matrix
                .l2KernelArg("dma_debug=off")
                .l2Command(L2Commands.eduBench(zone, rounds, transfers))
                .l1Companion(L1Companions.eduBench(rounds))
                .l1QemuArg(L1_QEMU_ARGS.toArray(String[]::new))
                .l2InsnCounter(counter)
                // L1's sampler wakes it, which stops its clock's jumps: seldom, as peaks matter little here
                .sampleSeconds(5)
                .l2Timeout(NestedSpec.DEFAULT_L2_TIMEOUT.plus(Duration.ofSeconds((long) rounds * transfers)));
        kernelArgs.forEach(b::l2KernelArg);
        if (zone) {
            b.l2Zone(Scenarios.MATRIX_ZONE).l2Module(Project.root().resolve("kmod/dmazone.ko").toString());
        }
        return b.build();
    }

    /** The checks L2's command prints with {@code rounds} rounds (l2-edu-bench.sh). */
    List<String> expectedL2Checks(int rounds) {
        List<String> checks = new ArrayList<>(List.of("edu_client_loaded", "edu_bound"));
        if (zone) {
            checks.add("zone_attached");
        }
        checks.add("bench_warm_up");
        for (int r = 1; r <= rounds; r++) {
            checks.add("bench_" + r);
        }
        return List.copyOf(checks);
    }

    /** The checks L1's companion prints with {@code rounds} rounds (l1-edu-bench.sh). */
    static List<String> expectedL1Checks(int rounds) {
        List<String> checks = new ArrayList<>(List.of("vfio_call_count"));
        for (int r = 1; r <= rounds; r++) {
            checks.add("edu_" + r + "_figures");
        }
        return List.copyOf(checks);
    }
}
