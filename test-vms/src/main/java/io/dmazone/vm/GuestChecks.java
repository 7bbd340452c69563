package io.dmazone.vm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The verdicts guest-side scripts and programs printed, in KTAP (the kselftest format) as
 * test-vms/src/main/resources/io/dmazone/vm/ktap.sh and io.dmazone.guest.CheckReport write it:
 * <pre>
 * KTAP version 1
 * ok 1 zone_nic_up # enp0s1 10.78.0.2
 * not ok 2 log_clean # problem lines: 3
 * ok 3 default_domain # SKIP no vIOMMU
 * # VALUE zone_bytes 67108864
 * 1..3
 * </pre>
 * A result line is {@code ok|not ok <number> <name>}, then {@code " # "} and the detail (which
 * may hold '#' itself), or {@code # SKIP <reason>} for a skipped check. Values are the
 * diagnostic lines {@code # VALUE <name> <value>}. The plan {@code 1..N} may come first or
 * last. An output may hold several streams one after the other, each from its version line
 * (several programs run by one command); other lines are ignored. Subtests (indented) are not
 * used.
 */
public final class GuestChecks {
    /** What a check came to. */
    public enum Status { PASS, FAIL, SKIP }

    /** One check's verdict; for a skipped check the detail is the reason. */
    public record Check(String name, Status status, String detail) {
        /** Passed: neither failed nor skipped. */
        public boolean passed() {
            return status == Status.PASS;
        }

        public boolean failed() {
            return status == Status.FAIL;
        }

        public boolean skipped() {
            return status == Status.SKIP;
        }
    }

    private static final Pattern VERSION = Pattern.compile("KTAP version \\d+");
    private static final Pattern PLAN = Pattern.compile("1\\.\\.(\\d{1,9})");
    private static final Pattern RESULT = Pattern.compile("(ok|not ok) (\\d{1,9}) (\\S+)(?: #(?: (.*))?| (.*))?");
    private static final Pattern VALUE = Pattern.compile("# VALUE (\\S+)(?: (.*))?");
    private static final Pattern SKIP = Pattern.compile("SKIP\\b ?(.*)");

    private final Map<String, Check> checks;
    private final Map<String, String> values;
    private final int results;
    private final int planned;
    private final List<String> problems;

    private GuestChecks(Map<String, Check> checks, Map<String, String> values, int results, int planned,
            List<String> problems) {
        this.checks = checks;
        this.values = values;
        this.results = results;
        this.planned = planned;
        this.problems = problems;
    }

    /** One KTAP stream while it is read: its results so far and its plan. */
    private static final class Stream {
        final int index;
        int results;
        int plan = -1;
        boolean planAfterResults;

        Stream(int index) {
            this.index = index;
        }
    }

    /** Parses a guest's output. */
    public static GuestChecks parse(String output) {
        Map<String, Check> checks = new LinkedHashMap<>();
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<Stream> streams = new ArrayList<>();
        Stream current = null;
        for (String raw : output.split("\n")) {
            String line = raw.strip();
            Matcher m;
            if (VERSION.matcher(line).matches()) {
                current = new Stream(streams.size() + 1);
                streams.add(current);
            } else if ((m = PLAN.matcher(line)).matches()) {
                if (current == null) {
                    problems.add("plan " + line + " before any KTAP version line");
                } else if (current.plan >= 0) {
                    problems.add("stream " + current.index + ": a second plan " + line);
                } else {
                    current.plan = Integer.parseInt(m.group(1));
                    current.planAfterResults = current.results > 0;
                }
            } else if ((m = RESULT.matcher(line)).matches()) {
                if (current == null) {
                    problems.add("result before any KTAP version line: " + line);
                    current = new Stream(streams.size() + 1);
                    streams.add(current);
                }
                current.results++;
                if (current.plan >= 0 && current.planAfterResults) {
                    problems.add("stream " + current.index + ": result after the plan: " + line);
                }
                int number = Integer.parseInt(m.group(2));
                if (number != current.results) {
                    problems.add("stream " + current.index + ": result " + current.results + " is numbered " + number
                            + " (printed from a subshell?): " + line);
                }
                checks.merge(m.group(3), check(m), (old, now) -> old.failed() ? old : now);
            } else if ((m = VALUE.matcher(line)).matches()) {
                values.put(m.group(1), m.group(2) == null ? "" : m.group(2));
            }
        }
        int results = 0;
        int planned = 0;
        for (Stream s : streams) {
            results += s.results;
            if (s.plan < 0) {
                planned = -1;
                problems.add("stream " + s.index + ": no plan after " + s.results + " results (cut short?)");
            } else {
                planned = planned < 0 ? planned : planned + s.plan;
                if (s.plan != s.results) {
                    problems.add("stream " + s.index + ": plan 1.." + s.plan + " but " + s.results + " results");
                }
            }
        }
        if (streams.isEmpty()) {
            problems.add("no KTAP version line");
        }
        return new GuestChecks(checks, values, results, streams.isEmpty() ? -1 : planned, List.copyOf(problems));
    }

    /** A result line's check: the detail after " # ", or a skip and its reason. */
    private static Check check(Matcher result) {
        String detail = result.group(4) != null ? result.group(4) : result.group(5) != null ? result.group(5) : "";
        Status status = result.group(1).equals("ok") ? Status.PASS : Status.FAIL;
        Matcher skip = SKIP.matcher(detail);
        // "not ok ... # SKIP" is no skip in KTAP: it stays a failure.
        if (status == Status.PASS && skip.matches()) {
            return new Check(result.group(3), Status.SKIP, skip.group(1));
        }
        return new Check(result.group(3), status, detail);
    }

    /**
     * The check of that name, if the guest printed it. A name printed twice keeps its first
     * failure: a later pass cannot hide it.
     */
    public Optional<Check> check(String name) {
        return Optional.ofNullable(checks.get(name));
    }

    /** All checks, in the order first printed. */
    public Map<String, Check> checks() {
        return Collections.unmodifiableMap(checks);
    }

    /** The value of that name, if the guest printed it. */
    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** All values, in the order first printed (the last value printed for a name). */
    public Map<String, String> values() {
        return Collections.unmodifiableMap(values);
    }

    /** Result lines read, over all streams (a name printed twice counts twice). */
    public int results() {
        return results;
    }

    /** The results the plans announced, over all streams; -1 if a stream had no plan, or there was none. */
    public int planned() {
        return planned;
    }

    /**
     * Whether the output holds at least one KTAP stream and each is whole: its results
     * numbered 1, 2, ... and as many as its plan, which came first or last.
     */
    public boolean complete() {
        return problems.isEmpty();
    }

    /** Why the output is not {@link #complete()}; empty if it is. */
    public List<String> problems() {
        return problems;
    }

    /** Whether a line of guest output is a KTAP line: a version line, plan, result or diagnostic. */
    public static boolean isKtap(String line) {
        String l = line.strip();
        return VERSION.matcher(l).matches() || PLAN.matcher(l).matches() || RESULT.matcher(l).matches()
                || l.startsWith("#");
    }
}
