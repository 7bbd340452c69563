package io.dmazone.measure;

import java.util.Locale;

/** Renders the edu benchmark's report as the tables people read. */
final class EduBenchTable {
    private EduBenchTable() {
    }

    static String render(EduBenchReport report) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-22s %6s %28s %28s %14s %14s %10s %4s%n", "edu round trips", "rounds",
                "per s [95% CI]", "L2 QEMU CPU us each [95% CI]", "map calls each", "insn each", "MMIO each", "ok"));
        for (EduBenchReport.ModeFigures m : report.modes()) {
            sb.append(String.format(Locale.ROOT, "%-22s %6d %28s %28s %14.2f %14.0f %10.1f %4s%n", m.mode(), m.rounds(),
                    MatrixTable.withInterval(m.transfersPerSecond(), m.transfersPerSecondLow(), m.transfersPerSecondHigh()),
                    MatrixTable.withInterval(m.cpuMicrosecondsPerTransfer(), m.cpuMicrosecondsPerTransferLow(),
                            m.cpuMicrosecondsPerTransferHigh()),
                    m.mapCallsPerTransfer(), m.instructionsPerTransfer(), m.mmioAccessesPerTransfer(),
                    m.sound() ? "yes" : "NO"));
        }
        if (!report.ratios().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%n%-22s %-22s %5s %26s %7s %s%n", "round trips/s", "over", "pairs",
                    "ratio [95% CI]", "target", "verdict"));
            for (EduBenchReport.Ratio r : report.ratios()) {
                sb.append(String.format(Locale.ROOT, "%-22s %-22s %5d %26s %7s %s%n", r.mode(), r.baseline(), r.pairs(),
                        MatrixTable.withInterval(r.ratio(), r.low(), r.high()), String.format(Locale.ROOT, ">= %.2f", r.target()),
                        r.verdict().label()));
            }
        }
        sb.append(String.format(Locale.ROOT, "each round: %d round trips of one 4 KiB buffer (RAM -> edu -> RAM); L1 on "
                + "icount with sleep=off, so edu's 100 ms per transfer passes while L1 idles; rates on the host's "
                + "clock, CPU on L1's; a ratio pairs round r of the two modes, each mode in an L1 of its own%n",
                report.transfersPerRound()));
        return sb.toString();
    }
}
