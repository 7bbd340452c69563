package io.dmazone.vm;

import java.nio.file.Path;

/** The kernel the test VMs boot: the exact version ci/setup installs. */
public final class Kernels {
    /** Set by the build from the root pom's {@code kernel.release}. */
    public static final String RELEASE_PROPERTY = "dmazone.kernel.release";
    private static final String DEFAULT_RELEASE = "6.12.117+deb12-amd64";

    private Kernels() {
    }

    /** The release string, e.g. {@code 6.12.117+deb12-amd64}. */
    public static String release() {
        return System.getProperty(RELEASE_PROPERTY, DEFAULT_RELEASE);
    }

    /** The bzImage of the test kernel. */
    public static Path testKernel() {
        return Path.of("/boot/vmlinuz-" + release());
    }
}
