package io.dmazone.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.dmazone.vm.GuestChecks;
import io.dmazone.vm.Reports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The matrix arithmetic: ratios, per-GB figures, and reading iperf3's JSON. */
class MatrixReportTest {
    private static final long ZONE = 64L << 20;

    private static ModeMeasurement measured(MatrixMode mode, long zone, long peakKiB, long steadyKiB, double rxMbps,
            double txMbps, Long maps, Long unmaps) {
        return new ModeMeasurement(mode, zone, peakKiB, steadyKiB, List.of(round(rxMbps, txMbps)), 100L, maps, unmaps,
                90, List.of(), null);
    }

    /** Ten seconds each way, 3 and 2 CPU seconds (MatrixPlotsTest's rounds too). */
    static TrafficRound round(double rxMbps, double txMbps) {
        IperfRun rx = new IperfRun((long) (rxMbps * 1e6 / 8 * 10), 10, rxMbps * 1e6, 0);
        IperfRun tx = new IperfRun((long) (txMbps * 1e6 / 8 * 10), 10, txMbps * 1e6, 0);
        return new TrafficRound(rx, tx, 3, 2);
    }

    @Test
    void zoneRatiosAreAgainstFullPinningAndDynamicMapping() {
        MatrixReport report = MatrixReport.of(List.of(
                measured(MatrixMode.FULL_PINNING, 0, 524352, 524352, 10, 5, 0L, 0L),
                measured(MatrixMode.VIOMMU_DYNAMIC, 0, 524352, 1400, 2, 1, 4000L, 4000L),
                measured(MatrixMode.ZONE_VIRTIO, ZONE, 65536, 65536, 9.5, 5.5, 0L, 0L)));
        assertThat(report.ratios()).hasSize(1);
        MatrixReport.ZoneRatios r = report.ratios().get(0);
        assertThat(r.steadyPerZone()).isEqualTo(1.0);
        assertThat(r.peakPerZone()).isEqualTo(1.0);
        assertThat(r.mapCallsPerGB()).isZero();
        assertThat(report.throughput()).extracting(MatrixReport.ThroughputTarget::ratio).containsExactly(
                List.of(0.95, 1.1, 1.0, 4.75, 5.5, 5.0).toArray(Double[]::new));
        assertThat(report.throughput()).extracting(MatrixReport.ThroughputTarget::pairs).containsOnly(1);
        assertThat(report.environment()).isNull();
    }

    /**
     * The DMA ops' lane is judged against the patched driver under the same vIOMMU, besides full
     * pinning; the patched driver under intel-iommu is no baseline for it.
     */
    @Test
    void theDmaOpsAreJudgedAgainstThePatchedDriverUnderTheSameViommu() {
        assertThat(MatrixMode.ZONE_DMA_OPS.patchedDriverTwin()).contains(MatrixMode.ZONE_VIRTIO);
        assertThat(MatrixMode.ZONE_VIRTIO.patchedDriverTwin()).isEmpty();
        MatrixReport report = MatrixReport.of(List.of(
                measured(MatrixMode.FULL_PINNING, 0, 524352, 524352, 10, 5, 0L, 0L),
                measured(MatrixMode.ZONE_INTEL, ZONE, 524352, 65536, 4, 4, 0L, 0L),
                measured(MatrixMode.ZONE_VIRTIO, ZONE, 65536, 65536, 8, 4, 0L, 0L),
                measured(MatrixMode.ZONE_DMA_OPS, ZONE, 65536, 65536, 6, 4, 0L, 0L)));
        List<MatrixReport.ThroughputTarget> opsOverPatched = report.throughput().stream()
                .filter(t -> t.mode().equals(MatrixMode.ZONE_DMA_OPS.label())
                        && !t.baseline().equals(MatrixMode.FULL_PINNING.label()))
                .toList();
        assertThat(opsOverPatched).extracting(MatrixReport.ThroughputTarget::baseline)
                .containsOnly(MatrixMode.ZONE_VIRTIO.label());
        assertThat(opsOverPatched).extracting(MatrixReport.ThroughputTarget::ratio).containsExactly(0.75, 1.0,
                10.0 / 12);
        assertThat(opsOverPatched).extracting(MatrixReport.ThroughputTarget::target).containsOnly(0.95);
        assertThat(report.ratios()).extracting(MatrixReport.ZoneRatios::mode).contains(MatrixMode.ZONE_DMA_OPS.label());
    }

    /**
     * The rounds swing tenfold with what L1 did at the time, and the zone mode runs at 0.9 of full
     * pinning in every one of them: ratios paired by round see 0.9 each time and judge the target
     * missed, where the medians' spread alone could not judge it.
     */
    @Test
    void pairingByRoundCancelsWhatL1DidInThatRound() {
        double[] l1Speed = {2, 20, 5, 14, 3, 9};
        List<TrafficRound> full = new java.util.ArrayList<>();
        List<TrafficRound> zone = new java.util.ArrayList<>();
        for (double speed : l1Speed) {
            full.add(round(speed, speed / 2));
            zone.add(round(0.9 * speed, 0.9 * speed / 2));
        }
        MatrixReport report = MatrixReport.of(List.of(
                new ModeMeasurement(MatrixMode.FULL_PINNING, 0, 1, 1, full, 0L, 0L, 0L, 90, List.of(), null),
                new ModeMeasurement(MatrixMode.ZONE_INTEL, ZONE, 65536, 65536, zone, 0L, 0L, 0L, 90, List.of(), null)));
        assertThat(report.throughput()).hasSize(3).allSatisfy(t -> {
            assertThat(t.pairs()).isEqualTo(6);
            assertThat(t.ratio()).isCloseTo(0.9, within(1e-9));
            assertThat(t.high()).isCloseTo(0.9, within(1e-9));
            assertThat(t.verdict()).as(t.direction()).isEqualTo(Verdict.MISSED);
        });
    }

    @Test
    void aRoundMissingADirectionOnEitherSideIsNoPair() {
        TrafficRound noTx = new TrafficRound(round(5, 1).l2Rx(), null, 3, 0);
        List<TrafficRound> zone = List.of(round(4, 2), noTx, round(6, 3));
        List<TrafficRound> base = List.of(round(8, 4), round(8, 4), round(0, 0), round(8, 4));
        assertThat(MatrixReport.pairedRatios(zone, base, r -> r.l2Tx() == null ? Double.NaN
                : r.l2Tx().megabitsPerSecond())).as("round 2 has no L2>L1, round 3's baseline moved nothing")
                .containsExactly(0.5);
        assertThat(MatrixReport.pairedRatios(zone, base, r -> r.l2Rx().megabitsPerSecond()))
                .as("the fourth round has no zone run").containsExactly(0.5, 5.0 / 8);
    }

    @Test
    void mapCallsAndCpuArePerGigabyteMovedBothWays() {
        ModeMeasurement dynamic = measured(MatrixMode.VIOMMU_DYNAMIC, 0, 524352, 1400, 8, 8, 3000L, 2000L);
        assertThat(dynamic.bytes()).isEqualTo(20_000_000);
        assertThat(dynamic.mapCallsPerGB()).isCloseTo(5000 / 0.02, within(1e-6));
        assertThat(dynamic.cpuSecondsPerGB()).isCloseTo(5 / 0.02, within(1e-9));
        assertThat(dynamic.steadyPerZone()).isNaN();
    }

    @Test
    void withoutTheBaselineModesThereIsNoThroughputTarget() {
        MatrixReport report = MatrixReport.of(
                List.of(measured(MatrixMode.ZONE_INTEL, ZONE, 524352, 65536, 9, 5, 0L, 0L)));
        MatrixReport.ZoneRatios r = report.ratios().get(0);
        assertThat(r.peakPerZone()).isCloseTo(8.001, within(0.001));
        assertThat(report.throughput()).as("no baseline, no throughput target").isEmpty();
        assertThat(MatrixTable.render(report)).contains("zone / intel-iommu").contains("8.001");
    }

    @Test
    void theReportIsWrittenWhereNoDirectoryExistsYet(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("reports/nested/matrix.json");
        Reports.write(file, MatrixReport.of(
                List.of(measured(MatrixMode.FULL_PINNING, 0, 524352, 524352, 10, 5, 0L, 0L))));
        JsonNode mode = Reports.mapper().readTree(file.toFile()).path("modes").get(0);
        assertThat(mode.path("mode").asText()).isEqualTo("full pinning");
        assertThat(mode.path("l2RxMbps").isNumber()).isTrue();
        assertThat(mode.has("l2RxLowMbps")).isTrue();
        assertThat(mode.path("l2RxLowMbps").isNull()).as("one round has no interval: null, not \"NaN\"").isTrue();
        assertThat(Reports.mapper().readTree(file.toFile()).path("schemaVersion").asInt())
                .isEqualTo(MatrixReport.SCHEMA_VERSION);
    }

    @Test
    void aMapCountThatWasNotTakenIsNullInTheReportAndADashInTheTable(@TempDir Path dir) throws Exception {
        ModeMeasurement uncounted = measured(MatrixMode.ZONE_VIRTIO, ZONE, 65536, 65536, 9.5, 5.5, null, null);
        MatrixReport report = MatrixReport.of(List.of(uncounted));
        Path file = dir.resolve("m.json");
        Reports.write(file, report);
        JsonNode mode = Reports.mapper().readTree(file.toFile()).path("modes").get(0);
        assertThat(mode.path("mapDmaCalls").isNull()).isTrue();
        assertThat(mode.path("unmapDmaCalls").isNull()).isTrue();
        assertThat(mode.path("bootMapDmaCalls").asLong()).isEqualTo(100);
        JsonNode run = Reports.mapper().readTree(file.toFile()).path("runs").get(0);
        assertThat(run.path("mapDmaCalls").isNull()).as("the raw figures too").isTrue();
        assertThat(run.path("bootMapDmaCalls").asLong()).isEqualTo(100);
        assertThat(MatrixTable.render(report)).containsPattern("100 +- +- ");
    }

    @Test
    void iperfJsonGivesWhatTheReceiverGot(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.json");
        Files.writeString(ok, "{\"end\":{\"sum_sent\":{\"bytes\":9000,\"retransmits\":2},"
                + "\"sum_received\":{\"bytes\":8760,\"seconds\":10.0,\"bits_per_second\":7008.0}}}",
                StandardCharsets.UTF_8);
        assertThat(IperfRun.read(ok)).isEqualTo(new IperfRun(8760, 10.0, 7008.0, 2));

        Path refused = dir.resolve("refused.json");
        Files.writeString(refused,
                "{\"start\":{},\"end\":{},\"error\":\"unable to connect to server: Connection refused\"}",
                StandardCharsets.UTF_8);
        assertThatThrownBy(() -> IperfRun.read(refused)).hasMessageContaining("Connection refused")
                .hasMessageContaining(refused.toString());
        assertThat(IperfRun.readIfCompleted(refused)).isNull();
        assertThat(IperfRun.readIfCompleted(dir.resolve("missing.json"))).isNull();
    }

    @Test
    void pinningAndMapCallTargetsGateAndThroughputDoesNot() {
        List<ModeMeasurement> met = List.of(
                measured(MatrixMode.FULL_PINNING, 0, 524352, 524352, 10, 5, 0L, 0L),
                measured(MatrixMode.ZONE_INTEL, ZONE, 524352, 65536, 1, 1, 0L, 0L),
                measured(MatrixMode.ZONE_VIRTIO, ZONE, 65536, 65536, 1, 1, 0L, 0L));
        assertThat(MatrixReport.of(met).missedGatingTargets()).as("intel's boot peak and slow throughput").isEmpty();

        List<ModeMeasurement> missed = List.of(
                measured(MatrixMode.ZONE_INTEL, ZONE, 524352, 70000, 1, 1, 0L, 0L),
                measured(MatrixMode.ZONE_VIRTIO, ZONE, 200000, 65536, 1, 1, 3L, null));
        assertThat(MatrixReport.of(missed).missedGatingTargets()).containsExactly(
                "zone / intel-iommu: steady/zone 1.068, target <= 1.01",
                "zone / virtio-iommu boot-bypass=off: peak/zone 3.052, target <= 2",
                "zone / virtio-iommu boot-bypass=off: 3 MAP_DMA + (not counted) UNMAP_DMA calls during traffic, "
                        + "target 0");
    }

    @Test
    void roundsGiveMediansAndFromSixRoundsAnInterval() {
        List<TrafficRound> six = List.of(round(5, 1), round(9, 1), round(6, 1), round(8, 1), round(7, 1),
                round(30, 1));
        ModeMeasurement m = new ModeMeasurement(MatrixMode.FULL_PINNING, 0, 1, 1, six, 0L, 0L, 0L, 90, List.of(), null);
        MatrixReport.ModeFigures f = MatrixReport.ModeFigures.of(m);
        assertThat(f.rounds()).isEqualTo(6);
        assertThat(f.l2RxMbps()).isCloseTo(7.5, within(1e-9));
        assertThat(f.l2RxLowMbps()).isCloseTo(5, within(1e-9));
        assertThat(f.l2RxHighMbps()).isCloseTo(30, within(1e-9));
        assertThat(m.cpuSecondsPerGB()).isCloseTo(6 * 5 / (m.bytes() / 1e9), within(1e-6));
        assertThat(MatrixTable.render(MatrixReport.of(List.of(m)))).contains("7.50 [5.00, 30.00]");
        // 5 CPU seconds a round over 1.25 * (rx + 1) MB: the slowest round costs the most per GB
        assertThat(f.cpuSecondsPerGBHigh()).isCloseTo(5 / (1.25e-3 * 6), within(1e-6));
        assertThat(f.cpuSecondsPerGBLow()).isCloseTo(5 / (1.25e-3 * 31), within(1e-6));
        assertThat(f.cpuSecondsPerGBMedian()).isCloseTo((5 / (1.25e-3 * 8) + 5 / (1.25e-3 * 9)) / 2,
                within(1e-6));

        ModeMeasurement five = new ModeMeasurement(MatrixMode.FULL_PINNING, 0, 1, 1, six.subList(0, 5), 0L, 0L, 0L, 90,
                List.of(), null);
        assertThat(MatrixReport.ModeFigures.of(five).l2RxLowMbps()).as("5 rounds cover the median 93.75 %").isNaN();
    }

    @Test
    void eachZoneModeGetsAVerdictPerBaselineAndDirectionFromSixRoundsOn() {
        List<TrafficRound> fullRounds = List.of(round(10, 5), round(10, 5), round(10, 5), round(10, 5),
                round(10, 5), round(10, 5));
        List<TrafficRound> dynamicRounds = List.of(round(0.5, 0.5), round(0.5, 0.5), round(0.5, 0.5),
                round(0.5, 0.5), round(0.5, 0.5), round(0.5, 0.5));
        // L1>L2 spread from half to one and a half times full pinning's; L2>L1 steady at 2
        List<TrafficRound> zoneRounds = List.of(round(5, 2), round(15, 2), round(6, 2), round(14, 2),
                round(10, 2), round(10, 2));
        MatrixReport report = MatrixReport.of(List.of(
                new ModeMeasurement(MatrixMode.FULL_PINNING, 0, 1, 1, fullRounds, 0L, 0L, 0L, 90, List.of(), null),
                new ModeMeasurement(MatrixMode.VIOMMU_DYNAMIC, 0, 1, 1, dynamicRounds, 0L, 0L, 0L, 90, List.of(), null),
                new ModeMeasurement(MatrixMode.ZONE_VIRTIO, ZONE, 65536, 65536, zoneRounds, 0L, 0L, 0L, 90, List.of(),
                        null)));
        assertThat(report.throughput()).extracting(t -> t.baseline() + " " + t.direction() + " "
                + t.verdict().label()).containsExactly(
                        "full pinning L1>L2 unresolved", "full pinning L2>L1 missed", "full pinning both unresolved",
                        "vIOMMU dynamic L1>L2 met", "vIOMMU dynamic L2>L1 missed", "vIOMMU dynamic both met");
        assertThat(report.throughput().get(1).ratio()).isCloseTo(0.4, within(1e-9));
        assertThat(MatrixTable.render(report)).contains("%-36s L2>L1".formatted("vIOMMU dynamic")).contains(">= 5.00 missed");

        MatrixReport fewRounds = MatrixReport.of(List.of(
                measured(MatrixMode.FULL_PINNING, 0, 1, 1, 10, 5, 0L, 0L),
                measured(MatrixMode.ZONE_VIRTIO, ZONE, 65536, 65536, 100, 50, 0L, 0L)));
        assertThat(fewRounds.throughput()).as("one round: no interval, so nothing is met or missed")
                .hasSize(3).allSatisfy(t -> assertThat(t.verdict()).isEqualTo(Verdict.UNRESOLVED));
    }

    @Test
    void txSlotBuffersAreComparedWithBuffersPerFrameByTheCpuTimePerGBSentRoundByRound() {
        // round(rx, tx) sends tx * 1.25 MB for 2 CPU seconds: 1600 / tx CPU s/GB
        List<TrafficRound> perSlot = List.of(round(10, 4), round(10, 4), round(10, 4), round(10, 4), round(10, 4),
                round(10, 4));
        List<TrafficRound> perFrame = List.of(round(10, 2), round(10, 1), round(10, 2), round(10, 1), round(10, 2),
                round(10, 1));
        ModeMeasurement slot = new ModeMeasurement(MatrixMode.ZONE_INTEL, ZONE, 65536, 65536, perSlot, 0L, 0L, 0L, 90,
                List.of(), null);
        ModeMeasurement frame = new ModeMeasurement(MatrixMode.ZONE_INTEL_TX_PER_FRAME, ZONE, 65536, 65536, perFrame,
                0L, 0L, 0L, 90, List.of(), null);
        MatrixReport report = MatrixReport.of(List.of(slot, frame));

        assertThat(report.txBuffers()).singleElement().satisfies(t -> {
            assertThat(t.mode()).isEqualTo(MatrixMode.ZONE_INTEL.label());
            assertThat(t.baseline()).isEqualTo(MatrixMode.ZONE_INTEL_TX_PER_FRAME.label());
            assertThat(t.pairs()).isEqualTo(6);
            assertThat(t.cpuSecondsPerGBSent()).isCloseTo(400, within(1e-6));
            assertThat(t.baselineCpuSecondsPerGBSent()).isCloseTo(1200, within(1e-6));
            // per round 400 / 800 and 400 / 1600, three times each
            assertThat(t.ratio()).isCloseTo(0.375, within(1e-9));
            assertThat(t.low()).isCloseTo(0.25, within(1e-9));
            assertThat(t.high()).isCloseTo(0.5, within(1e-9));
        });
        assertThat(MatrixTable.render(report)).contains("Tx, CPU s/GB sent (L2>L1)").contains("0.38 [0.25, 0.50]");
        assertThat(MatrixReport.of(List.of(slot)).txBuffers()).as("no per-frame mode, nothing to compare").isEmpty();
    }

    @Test
    void aRoundWithoutBothDirectionsMakesTheModeUnsound() {
        TrafficRound half = new TrafficRound(round(5, 1).l2Rx(), null, 3, 0);
        ModeMeasurement m = new ModeMeasurement(MatrixMode.FULL_PINNING, 0, 1, 1, List.of(round(5, 1), half), 0L, 0L,
                0L, 90, List.of(), null);
        assertThat(m.sound()).isFalse();
        assertThat(m.l2RxMbps()).hasSize(2);
        assertThat(m.l2TxMbps()).hasSize(1);
    }

    @Test
    void eachRoundsIperfRunsAreExpectedChecks() {
        assertThat(MatrixMode.FULL_PINNING.expectedL1Checks(2)).containsSubsequence("l2rx_1_iperf3", "l2tx_1_iperf3",
                "l2rx_2_iperf3", "l2tx_2_iperf3").doesNotContain("l2rx_3_iperf3");
    }

    @Test
    void aCheckThatWasNeverPrintedCountsAsFailed() {
        GuestChecks printed = GuestChecks.parse("KTAP version 1\nok 1 e1000e_up # enp0s1\nnot ok 2 iperf3_server # exit 1\n");
        List<String> failed = new java.util.ArrayList<>();
        ModeMeasurement.addFailed(failed, "L2", printed, MatrixMode.ZONE_VIRTIO.expectedL2Checks());
        assertThat(failed).containsExactly("L2 iperf3_server: exit 1", "L2 zone-attached: never printed",
                "L2 l1_done: never printed", "L2 l2_kernel_log_clean: never printed");
    }
}
