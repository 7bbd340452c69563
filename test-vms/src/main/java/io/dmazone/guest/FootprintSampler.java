package io.dmazone.guest;

import io.dmazone.DmazoneException;
import io.dmazone.memory.PinnedFootprint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * L1's record of what it pins for the nested guest, through the Java API
 * ({@link PinnedFootprint}): samples a process's VmLck and VmPin every PERIOD seconds into
 * a TSV ({@code ms vmlck_kib vmpin_kib phase}) until the process is gone, {@code ms} counted
 * from SINCE_EPOCH_MS (when the process started) and {@code phase} read from PHASE_FILE,
 * which the script watching the guest's boot keeps current. With {@code --once} it prints
 * VmLck in KiB and exits (1 when the process is gone).
 * {@code java -cp <cp> io.dmazone.guest.FootprintSampler PID PERIOD SINCE_EPOCH_MS TSV PHASE_FILE}
 * {@code java -cp <cp> io.dmazone.guest.FootprintSampler --once PID}
 */
public final class FootprintSampler {
    private FootprintSampler() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 2 && args[0].equals("--once")) {
            Optional<PinnedFootprint> now = read(Long.parseLong(args[1]));
            now.ifPresent(f -> System.out.println(f.vmLckBytes() / 1024));
            System.exit(now.isPresent() ? 0 : 1);
        }
        if (args.length != 5) {
            System.err.println("usage: FootprintSampler PID PERIOD_SECONDS SINCE_EPOCH_MS TSV PHASE_FILE | --once PID");
            System.exit(2);
        }
        long pid = Long.parseLong(args[0]);
        long periodMillis = Math.round(Double.parseDouble(args[1]) * 1000);
        long since = Long.parseLong(args[2]);
        Path phaseFile = Path.of(args[4]);
        try (PrintWriter tsv = new PrintWriter(Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))) {
            tsv.println("ms\tvmlck_kib\tvmpin_kib\tphase");
            tsv.flush();
            for (Optional<PinnedFootprint> f = read(pid); f.isPresent(); f = read(pid)) {
                tsv.println((System.currentTimeMillis() - since) + "\t" + f.get().vmLckBytes() / 1024 + "\t"
                        + f.get().vmPinBytes() / 1024 + "\t" + phase(phaseFile));
                // Flushed at once: L1's companions read the latest line while the guest runs.
                tsv.flush();
                Thread.sleep(periodMillis);
            }
        }
    }

    /** The footprint, or empty once the process has exited (a zombie has no memory lines). */
    private static Optional<PinnedFootprint> read(long pid) {
        try {
            return Optional.of(PinnedFootprint.of(pid));
        } catch (DmazoneException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String phase(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "boot";
        }
    }
}
