package io.dmazone.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Ready-made L2 commands (busybox sh scripts kept beside this class). */
public final class L2Commands {
    private L2Commands() {
    }

    /**
     * Checks that the stock e1000e bound the passed-through NIC, brings the link up
     * and holds it for {@code holdSeconds} so L1 sees the steady pinned footprint.
     */
    public static String e1000eUp(int holdSeconds) {
        return "HOLD_SECONDS=" + holdSeconds + "\n" + read("l2-e1000e-up.sh");
    }

    static String read(String resource) {
        try (InputStream in = L2Commands.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
