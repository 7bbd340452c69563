package io.dmazone.jni;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * Loads the dmazone JNI library once, from inside this jar (no {@code java.library.path}
 * needed), and says why when it cannot.
 *
 * <p>The library is copied from {@value #RESOURCE} to a temporary file, loaded, and the
 * file removed (the mapping stays). Its {@code JNI_OnLoad} registers the methods of
 * {@link Natives}.
 */
public final class NativeLibrary {
    /** Where the library lies on the classpath. */
    public static final String RESOURCE = "/META-INF/native/linux-x86_64/libdmazone_jni.so";

    private static final Throwable CAUSE = load();

    private NativeLibrary() {
    }

    private static Throwable load() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).equals("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return new UnsatisfiedLinkError("dmazone's native library is built for Linux x86-64; this is " + os + " " + arch);
        }
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return new UnsatisfiedLinkError(RESOURCE + " is not on the classpath; use the dmazone-jni jar built by "
                        + "Maven (the library is compiled into it)");
            }
            Path tmp = Files.createTempFile("dmazone_jni", ".so");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                System.load(tmp.toAbsolutePath().toString());
            } finally {
                Files.deleteIfExists(tmp);
            }
            return null;
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            return e;
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
     * {@link UnsatisfiedLinkError} carrying the cause.
     */
    public static void ensureAvailable() {
        if (CAUSE != null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError("dmazone native library unavailable: " + CAUSE);
            e.initCause(CAUSE);
            throw e;
        }
    }
}
