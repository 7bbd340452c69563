package io.dmazone.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Follows a nested run from the host, through the events L1 writes to the share, and reports
 * each phase as one line: L1 booting, L1 at its command, each L2 boot against its limit, L2 at
 * its command against the command's limit, a hung L2 boot, L2's exit; and, once a second, how
 * long the current phase has gone on (see {@link Progress} for how that is shown).
 */
final class NestedProgress implements AutoCloseable {
    private static final long POLL_MILLIS = 1000;

    private final Path events;
    private final NestedSpec spec;
    private final Progress out;
    private final Thread thread;
    private volatile boolean closed;

    private int linesSeen;
    private String phase = "L1 booting";
    private long phaseStarted = System.nanoTime();
    /** L1's clock, from the event: the boot's length is measured in L1, as NestedResult does. */
    private long l2StartedMillis;

    private NestedProgress(Path events, NestedSpec spec, Progress out) {
        this.events = events;
        this.spec = spec;
        this.out = out;
        this.thread = new Thread(this::follow, "nested-progress-" + spec.name());
        this.thread.setDaemon(true);
    }

    /** Starts following {@code events} (L1's events.log in the share), reporting to {@code out}. */
    static NestedProgress follow(Path events, NestedSpec spec, Progress out) {
        NestedProgress p = new NestedProgress(events, spec, out);
        p.enter("L1 booting", -1);
        p.thread.start();
        return p;
    }

    private void follow() {
        while (!closed) {
            List<String> lines = readLines();
            if (lines.size() < linesSeen) {
                // L1 was run again after a stall: the share starts over.
                linesSeen = 0;
                enter("L1 booting again", -1);
            }
            for (String line : lines.subList(linesSeen, lines.size())) {
                onEvent(line);
            }
            linesSeen = lines.size();
            out.elapsed(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - phaseStarted));
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private List<String> readLines() {
        try {
            return Files.exists(events) ? Files.readAllLines(events) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** One events.log line: "EPOCH_MS EVENT WORDS...". */
    private void onEvent(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 2 || !f[0].matches("\\d+")) {
            return;
        }
        String event = f[1];
        if (phase.startsWith("L1 booting")) {
            say("L1 at its command");
            enter("L1 setting up L2", -1);
        }
        switch (event) {
            case "l2-started" -> {
                l2StartedMillis = Long.parseLong(f[0]);
                enter("L2 boot " + word(f, "attempt") + " of " + spec.l2BootAttempts(), spec.l2BootTimeout().toSeconds());
            }
            case "l2-command-started" -> {
                say(String.format(Locale.ROOT, "L2 at its command after %.1f s of boot", (Long.parseLong(f[0]) - l2StartedMillis) / 1000.0));
                enter("L2 command", spec.l2Timeout().toSeconds());
            }
            case "l2-boot-hung" -> say("L2 boot " + word(f, "attempt") + " hung: "
                    + line.substring(line.indexOf("reason") + "reason".length()).trim());
            case "l2-command-exited" -> enter("L2 exiting", -1);
            case "l2-exited" -> enter("L1 finishing (companion, shutdown)", -1);
            default -> {
                // other events (bindings, limits) are in the run's files
            }
        }
    }

    private static String word(String[] fields, String key) {
        for (int i = 0; i + 1 < fields.length; i++) {
            if (fields[i].equals(key)) {
                return fields[i + 1];
            }
        }
        return "?";
    }

    private void enter(String name, long limitSeconds) {
        phase = name;
        phaseStarted = System.nanoTime();
        out.phase(name, limitSeconds);
        say(name + (limitSeconds > 0 ? " (limit " + limitSeconds + " s)" : ""));
    }

    private void say(String what) {
        out.line(what);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            out.close();
        }
    }
}
