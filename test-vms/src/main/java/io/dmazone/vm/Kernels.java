package io.dmazone.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel the test VMs boot, as {@code kernel/build.sh} described it: a directory
 * holding {@code kernel.env} (release, images, module root, tree, commit, config hash).
 * The build passes the directory in {@value #DIRECTORY_PROPERTY}; without it, the
 * cache's {@code kernels/current} link (the last kernel kernel/build.sh chose).
 */
public final class Kernels {
    /** The kernel directory; set by the build from the root pom's {@code dmazone.kernel}. */
    public static final String DIRECTORY_PROPERTY = "dmazone.kernel";
    private static final Path DEFAULT_DIRECTORY = Path.of("/root/.cache/dmazone/kernels/current");
    private static volatile KernelBuild selected;

    private Kernels() {
    }

    /** The kernel the tests boot. */
    public static KernelBuild selected() {
        KernelBuild k = selected;
        if (k == null) {
            String dir = System.getProperty(DIRECTORY_PROPERTY, "");
            k = load(dir.isBlank() ? DEFAULT_DIRECTORY : Path.of(dir));
            selected = k;
        }
        return k;
    }

    /** The release string of the selected kernel, e.g. {@code 6.12.117-dmazone}. */
    public static String release() {
        return selected().release();
    }

    /** The bzImage of the selected kernel (what virtme-ng boots as L1). */
    public static Path testKernel() {
        return selected().image();
    }

    /**
     * Reads a kernel directory.
     *
     * @throws IllegalStateException naming what to run when it is missing or unfinished
     */
    public static KernelBuild load(Path directory) {
        Path env = directory.resolve("kernel.env");
        if (!Files.isReadable(env)) {
            throw new IllegalStateException("no test kernel at " + directory + " (" + env
                    + " is missing); run kernel/build.sh (ci/test and ci/main do) or pass -D"
                    + DIRECTORY_PROPERTY + "=DIR");
        }
        Map<String, String> values = parse(env);
        for (String key : List.of("RELEASE", "IMAGE", "VMLINUX", "MODULES", "TREE", "COMMIT", "CONFIG_SHA256",
                "VARIANT")) {
            if (!values.containsKey(key)) {
                throw new IllegalStateException(env + " has no " + key + "; rebuild with kernel/build.sh");
            }
        }
        return new KernelBuild(directory.toAbsolutePath(), values.get("RELEASE"), Path.of(values.get("IMAGE")),
                Path.of(values.get("VMLINUX")), Path.of(values.get("MODULES")), values.get("TREE"),
                values.get("COMMIT"), values.get("CONFIG_SHA256"), values.get("VARIANT"),
                Long.parseLong(values.getOrDefault("BUILD_SECONDS", "0")));
    }

    /** kernel.env lines are {@code KEY='value'}, as kernel/build.sh writes them. */
    private static Map<String, String> parse(Path env) {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(env)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    String v = line.substring(eq + 1).trim();
                    if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    values.put(line.substring(0, eq).trim(), v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + env, e);
        }
        return values;
    }
}
