package io.dmazone.measure;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.vm.GuestChecks;
import io.dmazone.vm.InsnCounter;
import io.dmazone.vm.Kernels;
import io.dmazone.vm.NestedRun;
import io.dmazone.vm.Project;
import io.dmazone.vm.Reports;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The edu benchmark as the main job runs it, shorter: every mode's L2 makes its rounds of DMA
 * round trips through the passed-through edu, and L1 takes each round's figures. Rates are
 * printed, not asserted.
 */
@Tag("vm")
class EduBenchIT {
    private static final int ROUNDS = 2;
    private static final int TRANSFERS = 20;
    private static final List<EduBenchRun> RUNS = new ArrayList<>();
    private static EduBenchReport report;

    @BeforeAll
    static void run() {
        InsnCounter counter = InsnCounter.forKernel(Kernels.selected());
        for (EduBenchMode mode : EduBenchMode.values()) {
            RUNS.add(EduBenchRun.of(mode, ROUNDS, TRANSFERS,
                    NestedRun.run(mode.spec("edu-test-" + mode.slug(), ROUNDS, TRANSFERS, counter))));
        }
        report = EduBenchReport.of(TRANSFERS, RUNS);
        System.out.print(EduBenchTable.render(report));
        Reports.write(Project.root().resolve("test-vms/target/reports/test-edu-bench.json"), report);
    }

    private static EduBenchRun run(EduBenchMode mode) {
        return RUNS.stream().filter(r -> r.mode() == mode).findFirst().orElseThrow();
    }

    @Test
    void everyModeRanEveryRoundAndPassedEveryCheck() {
        assertThat(RUNS).allSatisfy(r -> {
            assertThat(r.failedChecks()).as(r.mode().label()).isEmpty();
            assertThat(r.rounds()).as(r.mode().label()).hasSize(ROUNDS).allSatisfy(round -> {
                assertThat(round.seconds()).as("host-stamped duration").isPositive();
                assertThat(round.cpuSeconds()).as("L2 QEMU's CPU").isPositive();
                assertThat(round.insns()).as("L2's instructions").isNotNull();
                // per transfer the client writes edu's source, destination, count and command
                // registers and reads the command register until the transfer is done; two
                // transfers make a round trip
                assertThat(round.mmioAccessesPerTransfer()).as("the client's edu register accesses per round trip")
                        .isGreaterThanOrEqualTo(10);
            });
        });
    }

    /**
     * Without a zone the client maps its two buffers for each round trip: under the strict
     * vIOMMU every map and unmap reached L1 as a VFIO call, four per round trip; without a
     * vIOMMU none did. In the zone the client's buffers were the zone's, contained, and mapped
     * once, before the rounds.
     */
    @Test
    void onlyTheDynamicModeMakesVfioCallsPerRoundTrip() {
        assertThat(run(EduBenchMode.VIOMMU_DYNAMIC).rounds()).allSatisfy(round ->
                assertThat(round.mapCallsPerTransfer()).isEqualTo(4.0));
        assertThat(run(EduBenchMode.FULL_PINNING).rounds()).allSatisfy(round ->
                assertThat(round.mapCalls()).isZero());
        assertThat(run(EduBenchMode.ZONE).rounds()).allSatisfy(round -> assertThat(round.mapCalls()).isZero());
        GuestChecks zone = GuestChecks.parse(run(EduBenchMode.ZONE).run().l2Output());
        assertThat(zone.check("bench_1")).hasValueSatisfying(c -> assertThat(c.detail())
                .contains("transfers=" + TRANSFERS).contains("maps=0").contains("contained=1"));
        GuestChecks dynamic = GuestChecks.parse(run(EduBenchMode.VIOMMU_DYNAMIC).run().l2Output());
        assertThat(dynamic.check("bench_1")).hasValueSatisfying(c -> assertThat(c.detail())
                .contains("maps=" + 2 * TRANSFERS).contains("contained=-1"));
    }

    /** Two rounds give no interval: the zone's ratios to both baselines stay unresolved. */
    @Test
    void theZoneHasAVerdictAgainstEachBaseline() {
        assertThat(report.ratios()).extracting(EduBenchReport.Ratio::baseline)
                .containsExactly(EduBenchMode.FULL_PINNING.label(), EduBenchMode.VIOMMU_DYNAMIC.label());
        assertThat(report.ratios()).allSatisfy(r -> {
            assertThat(r.pairs()).isEqualTo(ROUNDS);
            assertThat(r.ratio()).isPositive();
            assertThat(r.verdict()).isEqualTo(Verdict.UNRESOLVED);
        });
    }
}
