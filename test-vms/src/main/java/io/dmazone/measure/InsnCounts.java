package io.dmazone.measure;

import io.dmazone.vm.GuestChecks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The instructions L2 executed during one iperf3 run, as the counter in its QEMU split them
 * ({@link io.dmazone.vm.InsnCounter}): user, kernel, and the kernel code counted apart (memcpy,
 * usercopy, csum, modules). A translation block counts under the first part its address falls
 * in, so the parts add up to the whole.
 *
 * @param byPart instructions by part, in the order L1 printed them
 */
public record InsnCounts(Map<String, Long> byPart) {

    public InsnCounts {
        // unmodifiable, in the order given (Map.copyOf would lose it)
        byPart = Collections.unmodifiableMap(new LinkedHashMap<>(byPart));
    }

    /** Every part's instructions. */
    public long total() {
        return byPart.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The counts L1 printed for run {@code run} ({@code RUN_insn_PART} values, l1-lib.sh's
     * insn_values), null when it printed none (no counter, or it did not answer).
     */
    static InsnCounts read(GuestChecks l1, String run) {
        String prefix = run + "_insn_";
        Map<String, Long> parts = new LinkedHashMap<>();
        l1.values().forEach((name, value) -> {
            if (name.startsWith(prefix) && value.matches("\\d+")) {
                parts.put(name.substring(prefix.length()), Long.parseLong(value));
            }
        });
        return parts.isEmpty() ? null : new InsnCounts(parts);
    }
}
