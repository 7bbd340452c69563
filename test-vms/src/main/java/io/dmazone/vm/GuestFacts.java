package io.dmazone.vm;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the guest said about itself just before running the command: uptime
 * (its boot time), kernel release and clocksources (its accelerator).
 */
record GuestFacts(double uptimeSeconds, String kernelRelease, Accel accel) {

    /** Finds the facts line in a console log, if the guest got that far. */
    static Optional<GuestFacts> findIn(String console) {
        for (String line : console.split("\n")) {
            int at = line.indexOf(VngCommandLine.FACTS_MARKER + " ");
            if (at < 0 || line.startsWith("# ")) {
                // "# " lines are the harness's own notes, never the guest's.
                continue;
            }
            Map<String, String> kv = new HashMap<>();
            for (String word : line.substring(at).trim().split("\\s+")) {
                int eq = word.indexOf('=');
                if (eq > 0) {
                    kv.put(word.substring(0, eq), word.substring(eq + 1));
                }
            }
            try {
                return Optional.of(new GuestFacts(Double.parseDouble(kv.getOrDefault("uptime", "NaN")),
                        kv.getOrDefault("kernel", "unknown"),
                        Accel.fromAvailableClocksources(kv.getOrDefault("clocksources", ""))));
            } catch (NumberFormatException e) {
                // A console line cut into the marker's line; a later one may be whole.
            }
        }
        return Optional.empty();
    }
}
