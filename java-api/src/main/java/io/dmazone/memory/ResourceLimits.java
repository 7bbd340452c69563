package io.dmazone.memory;

import io.dmazone.internal.Sys;
import io.dmazone.jni.Natives;

/** {@code RLIMIT_MEMLOCK} of this process or another one, through {@code prlimit(2)}. */
public final class ResourceLimits {
    private ResourceLimits() {
    }

    /** This process's memlock limit. */
    public static MemlockLimit memlock() {
        return memlock(0);
    }

    /** The memlock limit of process {@code pid} (0: this process). */
    public static MemlockLimit memlock(long pid) {
        Sys.requireNatives();
        long[] old = new long[2];
        Sys.check(Natives.prlimitMemlock(toPid(pid), false, 0, 0, old),
                "prlimit(" + pid + ", RLIMIT_MEMLOCK)", "is the process alive?");
        return new MemlockLimit(old[0], old[1]);
    }

    /** Sets this process's memlock limit; returns the previous one. */
    public static MemlockLimit setMemlock(MemlockLimit limit) {
        return setMemlock(0, limit);
    }

    /**
     * Sets process {@code pid}'s memlock limit (0: this process); returns the previous one.
     * Raising a hard limit, or changing another user's process, needs CAP_SYS_RESOURCE.
     */
    public static MemlockLimit setMemlock(long pid, MemlockLimit limit) {
        Sys.requireNatives();
        long[] old = new long[2];
        Sys.check(Natives.prlimitMemlock(toPid(pid), true, limit.soft(), limit.hard(), old),
                "prlimit(" + pid + ", RLIMIT_MEMLOCK, " + limit + ")",
                "raising a hard limit or changing another user's process needs root (CAP_SYS_RESOURCE)");
        return new MemlockLimit(old[0], old[1]);
    }

    private static int toPid(long pid) {
        if (pid < 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pid " + pid + " out of range; use 0 for this process");
        }
        return (int) pid;
    }
}
