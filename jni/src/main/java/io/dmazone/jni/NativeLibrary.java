package io.dmazone.jni;

import java.util.Optional;

/**
 * Loads the dmazone JNI library once, from the classpath (no {@code java.library.path}
 * needed), and says why when it cannot.
 *
 * <p>The library is looked up when this class initialises; its {@code JNI_OnLoad}
 * registers the methods of {@link Natives}.
 */
public final class NativeLibrary {
    private static final Throwable CAUSE = load();

    private NativeLibrary() {
    }

    private static Throwable load() {
        try {
            NarSystem.loadLibrary();
            return null;
        } catch (Throwable t) { // UnsatisfiedLinkError, SecurityException, NoClassDefFoundError...
            return t;
        }
    }

    /** True when the native library is loaded and {@link Natives} can be called. */
    public static boolean isAvailable() {
        return CAUSE == null;
    }

    /** Why the native library could not be loaded, or empty if it is available. */
    public static Optional<Throwable> unavailabilityCause() {
        return Optional.ofNullable(CAUSE);
    }

    /**
     * Returns normally if the library is available, and otherwise throws an
     * {@link UnsatisfiedLinkError} naming the platform requirement and carrying the cause.
     */
    public static void ensureAvailable() {
        if (CAUSE != null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError(
                    "dmazone native library unavailable (needs Linux x86-64 and the "
                            + "dmazone-jni amd64-Linux-gpp-jni NAR on the classpath): " + CAUSE);
            e.initCause(CAUSE);
            throw e;
        }
    }
}
