package io.dmazone.vm;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Where a long run says how it is going: lines that stay (a phase began, something happened),
 * and the phase going on with its limit, whose elapsed time the run passes on about once a
 * second. On a terminal a bar shows that phase against its limit ({@link #onConsole}); in a log
 * or a pipe the phase is repeated as a plain line every {@value ProgressLines#REPEAT_SECONDS} s
 * instead ({@link #lines}), so a silent minute never looks like a hang.
 */
public abstract class Progress implements AutoCloseable {
    private final long started = System.nanoTime();

    /** A line that stays. */
    public abstract void line(String text);

    /** The phase now going on, and its limit in seconds (0 or less: none). */
    public abstract void phase(String name, long limitSeconds);

    /** How long the current phase has gone on. */
    public abstract void elapsed(long seconds);

    /** Ends the display; lines already written stay. */
    @Override
    public abstract void close();

    /** {@code text} after the seconds since this display started. */
    final String stamped(String text) {
        return String.format(Locale.ROOT, "[%4d s] %s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), text);
    }

    /** Plain lines to {@code out}, one per event, and the phase again every half minute. */
    public static Progress lines(Consumer<String> out) {
        return new ProgressLines(out);
    }

    /**
     * A bar on standard output when it and standard input are a terminal (not under CI=true or
     * TERM=dumb), otherwise {@link #lines} to standard output; every line starts with
     * {@code indent}.
     */
    public static Progress onConsole(String indent) {
        String term = System.getenv("TERM");
        boolean terminal = System.console() != null && System.getenv("CI") == null && term != null
                && !term.equals("dumb");
        return terminal ? new ProgressBarOnTerminal(System.out, indent)
                : lines(line -> System.out.println(indent + line));
    }
}
