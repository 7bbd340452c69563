package io.dmazone.internal;

import io.dmazone.DmazoneException;
import io.dmazone.NativeCallException;
import io.dmazone.jni.NativeLibrary;

/** Internal: turns the natives' {@code -errno} returns into exceptions. Not API. */
public final class Sys {
    private Sys() {
    }

    /** Throws a {@link DmazoneException} naming the cause if the native library is missing. */
    public static void requireNatives() {
        if (!NativeLibrary.isAvailable()) {
            Throwable cause = NativeLibrary.unavailabilityCause().orElse(null);
            throw new DmazoneException("dmazone native library is not available: " + cause
                    + "; dmazone-jni's jar carries it for Linux x86-64 (it comes with dmazone-java-api)", cause);
        }
    }

    /** Returns {@code ret} if non-negative, else throws for {@code -ret} with the given hint. */
    public static int check(int ret, String call, String hint) {
        if (ret < 0) {
            throw new NativeCallException(call, -ret, hint);
        }
        return ret;
    }

    /** Returns {@code ret} if non-negative, else throws for {@code -ret}. */
    public static long check(long ret, String call, String hint) {
        if (ret < 0) {
            throw new NativeCallException(call, (int) -ret, hint);
        }
        return ret;
    }
}
