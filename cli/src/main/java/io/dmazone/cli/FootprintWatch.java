package io.dmazone.cli;

import io.dmazone.DmazoneException;
import io.dmazone.Sizes;
import io.dmazone.memory.PinnedFootprint;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Samples a process's pinned footprint until it exits (or a sample count is reached) and
 * prints a line whenever what it has locked or pinned changes; remembers the highest VmLck.
 */
final class FootprintWatch {
    private final long pid;
    private final Duration interval;
    private final PrintWriter out;
    private final boolean json;
    private final boolean everySample;
    private final long started = System.nanoTime();
    private long highestLocked;

    FootprintWatch(long pid, Duration interval, PrintWriter out, boolean json, boolean everySample) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the sampling interval must be positive, e.g. 1s");
        }
        this.pid = pid;
        this.interval = interval;
        this.out = out;
        this.json = json;
        this.everySample = everySample;
    }

    /**
     * Samples until the process is gone, {@code maxSamples} were taken (0: no bound) or the
     * thread is interrupted.
     *
     * @return the number of samples taken
     */
    int run(int maxSamples) {
        PinnedFootprint last = null;
        int samples = 0;
        while (maxSamples == 0 || samples < maxSamples) {
            PinnedFootprint now;
            try {
                now = PinnedFootprint.of(pid);
            } catch (DmazoneException | IllegalArgumentException e) {
                break; // exited (no /proc entry) or a zombie (no Vm* lines)
            }
            samples++;
            highestLocked = Math.max(highestLocked, now.vmLckBytes());
            if (last == null || everySample || now.vmLckBytes() != last.vmLckBytes()
                    || now.vmPinBytes() != last.vmPinBytes()) {
                print(now);
            }
            last = now;
            if (maxSamples != 0 && samples == maxSamples) {
                break;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return samples;
    }

    /** The highest VmLck seen. */
    long highestLocked() {
        return highestLocked;
    }

    void print(PinnedFootprint f) {
        double t = (System.nanoTime() - started) / 1e9;
        if (json) {
            Json.printLine(out, toMap(f, t));
        } else {
            out.printf("%8.1f s  pid %d  VmLck %-10s VmPin %-10s VmRSS %s%n", t, f.pid(), Sizes.format(f.vmLckBytes()),
                    Sizes.format(f.vmPinBytes()), Sizes.format(f.vmRssBytes()));
            out.flush();
        }
    }

    static Map<String, Object> toMap(PinnedFootprint f, double seconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (seconds >= 0) {
            m.put("seconds", Math.round(seconds * 10) / 10.0);
        }
        m.put("pid", f.pid());
        m.put("vmLckBytes", f.vmLckBytes());
        m.put("vmPinBytes", f.vmPinBytes());
        m.put("vmRssBytes", f.vmRssBytes());
        return m;
    }
}
