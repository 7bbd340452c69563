package io.dmazone.vm;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * {@link Progress} on a terminal: lines scroll up as usual and, below them, one bar shows the
 * current phase's seconds against its limit (an open bar when it has none). A line printed
 * while a bar is up takes the bar down first; the next {@link #elapsed} puts it back, so the
 * two never mix.
 */
final class ProgressBarOnTerminal extends Progress {
    private final PrintStream out;
    private final String indent;
    private ProgressBar bar;
    private ConsoleProgressBarConsumer shownOn;
    private String phase;
    private long limitSeconds;
    private long elapsedSeconds;

    ProgressBarOnTerminal(PrintStream out, String indent) {
        this.out = out;
        this.indent = indent;
    }

    @Override
    public synchronized void line(String text) {
        takeDown();
        out.println(indent + stamped(text));
        out.flush();
    }

    @Override
    public synchronized void phase(String name, long limitSeconds) {
        takeDown();
        this.phase = name;
        this.limitSeconds = limitSeconds;
        this.elapsedSeconds = 0;
    }

    @Override
    public synchronized void elapsed(long seconds) {
        elapsedSeconds = seconds;
        if (bar == null) {
            putUp();
        }
        if (bar != null) {
            if (limitSeconds > 0 && seconds > limitSeconds) {
                bar.maxHint(seconds);
            }
            bar.stepTo(seconds);
        }
    }

    @Override
    public synchronized void close() {
        takeDown();
        phase = null;
    }

    private void putUp() {
        if (phase == null) {
            return;
        }
        bar = new ProgressBarBuilder()
                .setTaskName(indent + phase)
                .setInitialMax(limitSeconds > 0 ? limitSeconds : -1)
                .setUnit(" s", 1)
                .setStyle(ProgressBarStyle.UNICODE_BLOCK)
                .hideEta()
                .clearDisplayOnFinish()
                .setUpdateIntervalMillis(1000)
                .startsFrom(elapsedSeconds, Duration.ofSeconds(elapsedSeconds))
                .setConsumer(shownOn = new ConsoleProgressBarConsumer(out) {
                    // the bar is cleared when it closes: no newline after it
                    @Override
                    public void close() {
                        out.flush();
                    }
                })
                .build();
    }

    private void takeDown() {
        if (bar != null) {
            bar.close();
            // progressbar 0.10.2 leaves a bar closed before its first update on screen: clear it here too.
            out.print("\r" + " ".repeat(shownOn.getMaxRenderedLength()) + "\r");
            out.flush();
            bar = null;
        }
    }
}
