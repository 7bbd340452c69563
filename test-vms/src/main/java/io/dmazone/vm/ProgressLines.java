package io.dmazone.vm;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** {@link Progress} as plain lines, for logs and pipes: the current phase again every half minute. */
final class ProgressLines extends Progress {
    static final long REPEAT_SECONDS = 30;

    private final Consumer<String> out;
    private String phase;
    private long limitSeconds;
    private long lastLine = System.nanoTime();

    ProgressLines(Consumer<String> out) {
        this.out = out;
    }

    @Override
    public synchronized void line(String text) {
        out.accept(stamped(text));
        lastLine = System.nanoTime();
    }

    @Override
    public synchronized void phase(String name, long limitSeconds) {
        this.phase = name;
        this.limitSeconds = limitSeconds;
    }

    @Override
    public synchronized void elapsed(long seconds) {
        if (phase != null && TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastLine) >= REPEAT_SECONDS) {
            line(phase + ": " + seconds + " s" + (limitSeconds > 0 ? " of " + limitSeconds + " s" : ""));
        }
    }

    @Override
    public synchronized void close() {
        phase = null;
    }
}
