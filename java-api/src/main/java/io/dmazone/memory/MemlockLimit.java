package io.dmazone.memory;

import io.dmazone.Sizes;

/**
 * An {@code RLIMIT_MEMLOCK} value: soft and hard limit in bytes, {@link #INFINITY} for unlimited.
 *
 * @param soft the limit enforced (VFIO type1 checks locked_vm against it)
 * @param hard the ceiling an unprivileged process may raise {@code soft} to
 */
public record MemlockLimit(long soft, long hard) {
    /** {@code RLIM_INFINITY}. */
    public static final long INFINITY = -1L;

    /** Unlimited. */
    public static final MemlockLimit UNLIMITED = new MemlockLimit(INFINITY, INFINITY);

    /** Validates. */
    public MemlockLimit {
        if (soft < INFINITY || hard < INFINITY) {
            throw new IllegalArgumentException("memlock limits are byte counts or MemlockLimit.INFINITY; got soft="
                    + soft + " hard=" + hard);
        }
        if (Long.compareUnsigned(soft, hard) > 0) {
            throw new IllegalArgumentException("soft memlock limit " + describe(soft) + " exceeds the hard limit "
                    + describe(hard) + "; raise the hard limit too");
        }
    }

    /** Soft = hard = {@code bytes}. */
    public static MemlockLimit of(long bytes) {
        return new MemlockLimit(bytes, bytes);
    }

    /** True when the soft limit is unlimited. */
    public boolean unlimited() {
        return soft == INFINITY;
    }

    /** {@code "64 MiB"} or {@code "unlimited"}. */
    public static String describe(long limit) {
        return limit == INFINITY ? "unlimited" : Sizes.format(limit);
    }

    @Override
    public String toString() {
        return "MemlockLimit[soft " + describe(soft) + ", hard " + describe(hard) + "]";
    }
}
