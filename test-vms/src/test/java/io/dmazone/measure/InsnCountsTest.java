package io.dmazone.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dmazone.vm.GuestChecks;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * L1's instruction values, from two of the counter's snapshot lines (l1-lib.sh's insn_values,
 * run by bash as in L1) to the instructions per byte of a round.
 */
class InsnCountsTest {
    @TempDir
    Path dir;

    @Test
    void l1PrintsEachCountsGrowthButBootsAndTheRoundReadsThemBack() throws Exception {
        String out = L1Shell.run(dir, """
                insn_values l2rx_1 "user=10 kernel=100 boot=7 memcpy=5" "user=15 kernel=180 boot=9 memcpy=25 modules=4"
                insn_values l2tx_1 "user=0 kernel=0 boot=0" "user=1 kernel=2 boot=3"
                """);
        GuestChecks l1 = GuestChecks.parse(out);

        InsnCounts rx = InsnCounts.read(l1, "l2rx_1");
        assertThat(rx.byPart()).as("modules was not in the first snapshot: no growth to give")
                .containsExactly(Map.entry("user", 5L), Map.entry("kernel", 80L), Map.entry("memcpy", 20L));
        assertThat(rx.total()).isEqualTo(105);
        assertThat(InsnCounts.read(l1, "l2tx_1").byPart()).containsOnlyKeys("user", "kernel");
        assertThat(InsnCounts.read(l1, "l2rx_2")).as("a run L1 did not count").isNull();

        IperfRun tenBytes = new IperfRun(10, 1, 80, 0);
        TrafficRound round = new TrafficRound(tenBytes, new IperfRun(3, 1, 24, 0), 0, 0, rx,
                InsnCounts.read(l1, "l2tx_1"));
        assertThat(round.l2RxInstructionsPerByte()).isCloseTo(10.5, within(1e-12));
        assertThat(round.l2RxInstructionsPerByte("memcpy")).isCloseTo(2.0, within(1e-12));
        assertThat(round.l2RxInstructionsPerByte("csum")).as("a part not printed").isZero();
        assertThat(round.l2TxInstructionsPerByte()).isCloseTo(1.0, within(1e-12));
        assertThat(round.instructionsPerByte()).isCloseTo(108.0 / 13, within(1e-12));
        assertThat(new TrafficRound(tenBytes, null, 0, 0, rx, null).instructionsPerByte())
                .as("one way missing").isNaN();
        assertThat(rx.mmioAccesses()).as("registers not watched").isNull();
        assertThat(round.l2RxMmioAccessesPerKiB()).isNaN();
    }

    /** The register accesses ride in the same lines, and are not a part of the instructions. */
    @Test
    void registerAccessesAreReadApartFromTheInstructions() throws Exception {
        GuestChecks l1 = GuestChecks.parse(L1Shell.run(dir, """
                insn_values l2rx_1 "user=1 kernel=10 boot=0 mmio_read=3 mmio_write=5" "user=2 kernel=30 boot=0 mmio_read=13 mmio_write=35"
                """));

        InsnCounts rx = InsnCounts.read(l1, "l2rx_1");
        assertThat(rx.byPart()).containsExactly(Map.entry("user", 1L), Map.entry("kernel", 20L));
        assertThat(rx.total()).isEqualTo(21);
        assertThat(rx.mmioReads()).isEqualTo(10);
        assertThat(rx.mmioWrites()).isEqualTo(30);
        TrafficRound round = new TrafficRound(new IperfRun(2048, 1, 16384, 0), null, 0, 0, rx, null);
        assertThat(round.l2RxMmioAccessesPerKiB()).as("40 accesses over 2 KiB").isCloseTo(20.0, within(1e-12));
        assertThat(round.l2RxInstructionsPerByte()).isCloseTo(21.0 / 2048, within(1e-12));
    }
}
