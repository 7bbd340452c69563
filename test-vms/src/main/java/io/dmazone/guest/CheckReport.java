package io.dmazone.guest;

import java.io.PrintStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints a guest program's checks and values in KTAP, the same lines as the guest scripts'
 * emitter (test-vms/src/main/resources/io/dmazone/vm/ktap.sh), which io.dmazone.vm.GuestChecks
 * reads: {@code KTAP version 1} before the first line, {@code ok|not ok <n> <name> # <detail>},
 * {@code ok <n> <name> # SKIP <reason>}, {@code # VALUE <name> <value>}, and at {@link #end()}
 * the totals and the plan {@code 1..<n>}. Counts passes, failures and skips.
 */
final class CheckReport {
    private static final Pattern RESULT = Pattern.compile("(ok|not ok) \\d+ (.*)");

    private final PrintStream out;
    private boolean started;
    private int number;
    private int passed;
    private int failed;
    private int skipped;

    CheckReport(PrintStream out) {
        this.out = out;
    }

    /** A check that passed or failed. */
    boolean check(String name, boolean ok, String detail) {
        String d = oneLine(detail);
        result(ok ? "ok" : "not ok", d.isEmpty() ? name : name + " # " + d);
        if (ok) {
            passed++;
        } else {
            failed++;
        }
        return ok;
    }

    /** A failed check from an exception. */
    boolean fail(String name, Throwable t) {
        return check(name, false, t.getClass().getSimpleName() + ": " + t.getMessage());
    }

    /** A check that does not apply here: neither passed nor failed. */
    void skip(String name, String reason) {
        result("ok", name + " # SKIP " + oneLine(reason));
        skipped++;
    }

    /** A figure. */
    void value(String name, Object value) {
        print("# VALUE " + name + " " + oneLine(String.valueOf(value)));
    }

    /** A free-form line that is neither a check nor a value. */
    void info(String text) {
        print("# " + oneLine(text));
    }

    /**
     * A line of a child process's output: its results renumbered into this report's sequence
     * and counted, its version line and plan kept as comments, diagnostic lines as they are,
     * anything else as a comment from {@code who}.
     */
    void relay(String who, String line) {
        Matcher m = RESULT.matcher(line);
        if (m.matches()) {
            result(m.group(1), m.group(2));
            if (m.group(1).equals("not ok")) {
                failed++;
            } else if (m.group(2).matches("\\S+ # SKIP\\b.*")) {
                skipped++;
            } else {
                passed++;
            }
        } else if (line.startsWith("#")) {
            print(line);
        } else {
            info(who + ": " + line);
        }
    }

    /** How many checks failed so far. */
    int failed() {
        return failed;
    }

    /** The totals and the plan, last; the exit status: 0 if no check failed. */
    int end() {
        print("# Totals: pass:" + passed + " fail:" + failed + " xfail:0 xpass:0 skip:" + skipped + " error:0");
        print("1.." + number);
        return failed == 0 ? 0 : 1;
    }

    private void result(String result, String nameAndDetail) {
        number++;
        print(result + " " + number + " " + nameAndDetail);
    }

    private void print(String line) {
        if (!started) {
            out.println("KTAP version 1");
            started = true;
        }
        out.println(line);
        out.flush();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
