package io.dmazone.vm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The TCG plugins {@code test-vms/qemu-plugin/build.sh} builds for the installed QEMU.
 * The build passes their directory in {@value #DIRECTORY_PROPERTY}; without it, the
 * cache's {@code qemu-plugin/current} link (the last one build.sh built or found).
 */
public final class QemuPlugins {
    /** The plugin directory; set by the build from the root pom's {@code dmazone.qemuPlugin}. */
    public static final String DIRECTORY_PROPERTY = "dmazone.qemuPlugin";
    private static final Path DEFAULT_DIRECTORY = Path.of("/root/.cache/dmazone/qemu-plugin/current");

    private QemuPlugins() {
    }

    /**
     * dmazone_insn, the instruction counter ({@code test-vms/qemu-plugin/dmazone_insn.c}).
     *
     * @throws IllegalStateException naming what to run when it has not been built
     */
    public static Path insnCounter() {
        String dir = System.getProperty(DIRECTORY_PROPERTY, "");
        Path so = (dir.isBlank() ? DEFAULT_DIRECTORY : Path.of(dir)).resolve("libdmazone_insn.so");
        if (!Files.isReadable(so)) {
            throw new IllegalStateException("no instruction-counting plugin at " + so
                    + "; run test-vms/qemu-plugin/build.sh (ci/test does) or pass -D" + DIRECTORY_PROPERTY + "=DIR");
        }
        return so.toAbsolutePath();
    }
}
