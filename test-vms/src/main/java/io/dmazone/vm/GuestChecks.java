package io.dmazone.vm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The verdicts a guest-side script printed, one per line:
 * {@code CHECK <name> PASS|FAIL <detail>} and {@code VALUE <name> <value>}.
 */
public final class GuestChecks {
    /** One check's verdict. */
    public record Check(String name, boolean passed, String detail) {
    }

    private final Map<String, Check> checks;
    private final Map<String, String> values;

    private GuestChecks(Map<String, Check> checks, Map<String, String> values) {
        this.checks = checks;
        this.values = values;
    }

    /** Parses a guest's output; other lines are ignored. */
    public static GuestChecks parse(String output) {
        Map<String, Check> checks = new LinkedHashMap<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split("\\s+", 4);
            if (f.length >= 3 && f[0].equals("CHECK") && (f[2].equals("PASS") || f[2].equals("FAIL"))) {
                Check c = new Check(f[1], f[2].equals("PASS"), f.length > 3 ? f[3] : "");
                // A name printed twice keeps its first failure: a later PASS cannot hide it.
                checks.merge(f[1], c, (old, now) -> old.passed() ? now : old);
            } else if (f.length >= 3 && f[0].equals("VALUE")) {
                values.put(f[1], line.trim().split("\\s+", 3)[2]);
            }
        }
        return new GuestChecks(checks, values);
    }

    /** The check of that name, if the guest printed it. */
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
}
