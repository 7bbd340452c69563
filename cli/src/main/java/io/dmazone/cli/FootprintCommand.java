package io.dmazone.cli;

import io.dmazone.memory.PinnedFootprint;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dmazone footprint PID}: what a process (a QEMU) has locked and pinned. */
@Command(name = "footprint", mixinStandardHelpOptions = true,
        description = {"Print what a process has locked (VmLck: VFIO type1's pins), pinned (VmPin: iommufd) and "
                + "resident (VmRSS), once or, with --watch, whenever it changes until the process exits."})
final class FootprintCommand extends Subcommand {
    @Parameters(paramLabel = "PID", description = "The process, e.g. QEMU's.")
    long pid;

    @Option(names = "--watch", description = "Keep sampling; print a line when VmLck or VmPin changes (-v: every sample).")
    boolean watch;

    @Option(names = "--interval", defaultValue = "1", paramLabel = "SECONDS",
            description = "Seconds between samples with --watch (default ${DEFAULT-VALUE}).")
    double intervalSeconds;

    @Option(names = "--count", defaultValue = "0", paramLabel = "N",
            description = "Stop after N samples with --watch (default: until the process exits).")
    int count;

    @Option(names = "--json", description = "JSON: one object, or with --watch one object per line.")
    boolean json;

    @Override
    public Integer call() {
        if (pid <= 0) {
            throw new IllegalArgumentException("PID " + pid + " must be positive");
        }
        if (count < 0 || !(intervalSeconds > 0)) {
            throw new IllegalArgumentException("--count must be 0 or more and --interval positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        // Read once first, so a wrong PID fails with the API's message rather than printing nothing.
        PinnedFootprint first = PinnedFootprint.of(pid);
        if (!watch) {
            if (json) {
                Json.print(out, FootprintWatch.toMap(first, -1));
            } else {
                out.println(first);
                out.flush();
            }
            return Dmazone.OK;
        }
        Duration interval = Duration.ofMillis(Math.max(1, Math.round(intervalSeconds * 1000)));
        new FootprintWatch(pid, interval, out, json, verbosity.verbose()).run(count);
        return Dmazone.OK;
    }
}
