package io.dmazone.measure;

import io.dmazone.vm.GuestChecks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The instructions L2 executed during one iperf3 run, as the counter in its QEMU split them
 * ({@link io.dmazone.vm.InsnCounter}): user, kernel, and the kernel code counted apart (memcpy,
 * usercopy, csum, modules). A translation block counts under the first part its address falls
 * in, so the parts add up to the whole. Beside them, the device register accesses the drivers'
 * code made (the counter's mmio_read and mmio_write), when it watched them.
 *
 * @param byPart      instructions by part, in the order L1 printed them
 * @param mmioReads   register reads by the drivers' code, null if not watched
 * @param mmioWrites  register writes by the drivers' code, null if not watched
 */
public record InsnCounts(Map<String, Long> byPart, Long mmioReads, Long mmioWrites) {
    /** The counter's names for the register accesses, which are not parts. */
    static final String MMIO_READ = "mmio_read";
    static final String MMIO_WRITE = "mmio_write";

    public InsnCounts {
        // unmodifiable, in the order given (Map.copyOf would lose it)
        byPart = Collections.unmodifiableMap(new LinkedHashMap<>(byPart));
        if ((mmioReads == null) != (mmioWrites == null)) {
            throw new IllegalArgumentException("mmioReads " + mmioReads + " and mmioWrites " + mmioWrites
                    + ": both counted or neither");
        }
    }

    /** Counts without register accesses. */
    public InsnCounts(Map<String, Long> byPart) {
        this(byPart, null, null);
    }

    /** Register reads and writes, null if not watched. */
    public Long mmioAccesses() {
        return mmioReads == null ? null : mmioReads + mmioWrites;
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
        Long reads = parts.remove(MMIO_READ);
        Long writes = parts.remove(MMIO_WRITE);
        if (parts.isEmpty()) {
            return null;
        }
        return reads == null || writes == null ? new InsnCounts(parts) : new InsnCounts(parts, reads, writes);
    }
}
