package io.dmazone.guest;

import java.io.PrintStream;

/** Prints {@code CHECK <name> PASS|FAIL <detail>} and {@code VALUE <name> <value>} lines and counts failures. */
final class CheckReport {
    private final PrintStream out;
    private int passed;
    private int failed;

    CheckReport(PrintStream out) {
        this.out = out;
    }

    /** A check that passed or failed. */
    boolean check(String name, boolean ok, String detail) {
        out.println("CHECK " + name + (ok ? " PASS " : " FAIL ") + oneLine(detail));
        out.flush();
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

    /** A figure. */
    void value(String name, Object value) {
        out.println("VALUE " + name + " " + value);
        out.flush();
    }

    /** A free-form line that is neither a check nor a value. */
    void info(String text) {
        out.println("# " + oneLine(text));
        out.flush();
    }

    /** Counts a line relayed from a child process. */
    void relay(String line) {
        out.println(line);
        out.flush();
        if (line.startsWith("CHECK ")) {
            String[] p = line.split(" ", 4);
            if (p.length >= 3 && p[2].equals("PASS")) {
                passed++;
            } else {
                failed++;
            }
        }
    }

    int passed() {
        return passed;
    }

    int failed() {
        return failed;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
