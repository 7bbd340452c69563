package io.dmazone.vm;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides, from a guest's console, that its boot has hung: a report the kernel or
 * QEMU prints when it is stuck (an RCU stall, a soft lockup, a hung task, a KVM
 * internal error, a QEMU assertion), or no console line at all for a bounded time
 * before the guest command starts. Once the command runs, its own timeout applies
 * and the watchdog stays quiet. Thread-safe: lines arrive from the console pumps,
 * the verdict is read by the waiter.
 */
final class BootWatchdog {
    /** What a hung boot prints, each with the reason recorded for it. */
    private static final List<Sign> SIGNS = List.of(
            new Sign("rcu stall", Pattern.compile("rcu: INFO: rcu_\\w+ detected stalls|rcu_\\w+ self-detected stall")),
            new Sign("rcu timer wakeup lost", Pattern.compile("rcu_\\w+ kthread timer wakeup didn't happen")),
            new Sign("soft lockup", Pattern.compile("watchdog: BUG: soft lockup")),
            new Sign("hung task", Pattern.compile("INFO: task \\S+ blocked for more than")),
            new Sign("KVM internal error", Pattern.compile("KVM internal error")),
            new Sign("QEMU assertion", Pattern.compile("^qemu-system-\\S+: .*Assertion `")));

    private final Duration silenceLimit;
    private long lastLineNanos;
    private boolean commandStarted;
    private String verdict;
    private String excerpt = "";

    BootWatchdog(Duration silenceLimit, long nowNanos) {
        this.silenceLimit = silenceLimit;
        this.lastLineNanos = nowNanos;
    }

    /** Takes one console line. */
    synchronized void line(String line, long nowNanos) {
        lastLineNanos = nowNanos;
        if (commandStarted || verdict != null) {
            return;
        }
        if (line.contains(VngCommandLine.FACTS_MARKER + " ") && !line.startsWith("# ")) {
            commandStarted = true;
            return;
        }
        for (Sign sign : SIGNS) {
            if (sign.pattern().matcher(line).find()) {
                verdict = sign.reason() + ": " + line.trim();
                return;
            }
        }
    }

    /** Checks the silence limit; called periodically. */
    synchronized void tick(long nowNanos) {
        if (!commandStarted && verdict == null && nowNanos - lastLineNanos > silenceLimit.toNanos()) {
            verdict = "no console output for " + silenceLimit.toSeconds() + " s before the guest command started";
        }
    }

    /** Keeps the console excerpt that goes with the verdict. */
    synchronized void excerpt(String consoleTail) {
        this.excerpt = consoleTail;
    }

    /** The hang, once one has been seen. */
    synchronized Optional<String> verdict() {
        return Optional.ofNullable(verdict);
    }

    synchronized String excerpt() {
        return excerpt;
    }

    synchronized boolean commandStarted() {
        return commandStarted;
    }

    private record Sign(String reason, Pattern pattern) {
    }
}
