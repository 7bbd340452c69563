package io.dmazone.measure;

import io.dmazone.vm.GuestChecks;
import io.dmazone.vm.NestedResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One mode's run of the edu benchmark.
 *
 * @param mode         the mode
 * @param rounds       the rounds L1 took figures for, in order
 * @param failedChecks the checks either side failed or never printed, empty when the run was sound
 * @param run          the nested run behind the figures
 */
public record EduBenchRun(EduBenchMode mode, List<EduRound> rounds, List<String> failedChecks, NestedResult run) {

    public EduBenchRun {
        rounds = List.copyOf(rounds);
        failedChecks = List.copyOf(failedChecks);
    }

    /**
     * Reads a finished run of {@code rounds} rounds of {@code transfers} round trips: L2's and
     * L1's output, and the host's stamps on the round files L1 left in the share.
     */
    static EduBenchRun of(EduBenchMode mode, int rounds, int transfers, NestedResult run) {
        GuestChecks l2 = GuestChecks.parse(run.l2Output());
        GuestChecks l1 = GuestChecks.parse(run.l1CompanionOutput());
        List<String> failed = new ArrayList<>();
        ModeMeasurement.addFailed(failed, "L2", l2, mode.expectedL2Checks(rounds));
        ModeMeasurement.addFailed(failed, "L1", l1, EduBenchMode.expectedL1Checks(rounds));
        if (run.l2ExitStatus() != 0) {
            failed.add("L2 command exit status " + run.l2ExitStatus());
        }
        double tick = 1.0 / count(l1, "clk_tck", 100);
        List<EduRound> taken = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            String name = "edu_" + r;
            Path start = run.shareDirectory().resolve("edu-" + r + "-start");
            Path end = run.shareDirectory().resolve("edu-" + r + "-end");
            if (!Files.exists(start) || !Files.exists(end) || l1.value(name + "_l2_qemu_cpu_ticks").isEmpty()) {
                continue;
            }
            taken.add(new EduRound(transfers, (stampNanos(end) - stampNanos(start)) / 1e9,
                    count(l1, name + "_l2_qemu_cpu_ticks", 0) * tick,
                    count(l1, name + "_map_dma_calls", 0) + count(l1, name + "_unmap_dma_calls", 0),
                    InsnCounts.read(l1, name)));
        }
        return new EduBenchRun(mode, taken, failed, run);
    }

    /** When the host made the file (its modification time: L1 only creates it). */
    private static long stampNanos(Path file) {
        try {
            return Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the time of " + file, e);
        }
    }

    private static long count(GuestChecks checks, String name, long otherwise) {
        return checks.value(name).filter(v -> v.matches("\\d+")).map(Long::parseLong).orElse(otherwise);
    }

    /** Every round measured and no check failed. */
    public boolean sound() {
        return failedChecks.isEmpty() && !rounds.isEmpty();
    }

    /** Each round's round trips per second on the host's clock. */
    public List<Double> transfersPerSecond() {
        return Statistics.finite(rounds.stream().map(EduRound::transfersPerSecond).toList());
    }

    /** Each round's CPU microseconds of L2's QEMU per round trip. */
    public List<Double> cpuMicrosecondsPerTransfer() {
        return rounds.stream().map(EduRound::cpuMicrosecondsPerTransfer).toList();
    }
}
