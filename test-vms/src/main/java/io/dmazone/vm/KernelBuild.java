package io.dmazone.vm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One built (or installed) kernel.
 *
 * @param directory    where kernel.env is
 * @param release      {@code uname -r} of the kernel
 * @param image        bzImage (virtme-ng boots it)
 * @param vmlinux      the uncompressed kernel (QEMU boots it through PVH as L2)
 * @param moduleRoot   the directory holding {@code lib/modules/RELEASE}
 * @param tree         the source tree, or the package it came from
 * @param commit       the tree's commit, or the package version
 * @param configSha256 the hash of the kernel's .config
 * @param variant      lean, debug or debian
 * @param buildSeconds how long its build took (0: installed, not built)
 */
public record KernelBuild(Path directory, String release, Path image, Path vmlinux, Path moduleRoot,
        String tree, String commit, String configSha256, String variant, long buildSeconds) {

    /** {@code lib/modules/RELEASE} of this kernel. */
    public Path moduleDirectory() {
        return moduleRoot.resolve("lib/modules").resolve(release);
    }

    /**
     * An in-tree module by its path under lib/modules/RELEASE without the suffix
     * ({@code kernel/drivers/net/ethernet/intel/e1000e/e1000e}): the .ko or .ko.xz
     * this kernel has, or empty when it is built in or absent.
     */
    public Optional<String> module(String pathWithoutSuffix) {
        for (String suffix : List.of(".ko", ".ko.xz", ".ko.zst", ".ko.gz")) {
            String candidate = pathWithoutSuffix + suffix;
            if (Files.isRegularFile(moduleDirectory().resolve(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The module, which this kernel must have as a module. */
    public String requireModule(String pathWithoutSuffix) {
        return module(pathWithoutSuffix).orElseThrow(() -> new IllegalStateException(
                "kernel " + release + " (" + directory + ") has no module " + pathWithoutSuffix
                        + ".ko under " + moduleDirectory() + "; its config must build it as a module (=m)"));
    }

    /** One line for reports: release, variant, tree, commit, config hash. */
    public String describe() {
        return release + " (" + variant + ", tree " + tree + ", commit " + commit + ", config sha256 "
                + configSha256.substring(0, Math.min(12, configSha256.length())) + ")";
    }
}
