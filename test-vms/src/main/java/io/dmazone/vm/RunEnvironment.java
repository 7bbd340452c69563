package io.dmazone.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What a result was measured on, kept beside every figure.
 *
 * @param hostKernel      {@code uname -r} where the harness ran
 * @param guestKernel     the kernel the guests booted ({@code uname -r} in L1)
 * @param testKernel      that kernel's build: tree, commit, config hash, variant
 * @param qemuVersion     first line of {@code qemu-system-x86_64 --version}
 * @param l1Accel         L1's accelerator, read from inside L1
 * @param l2Accel         L2's accelerator (always TCG: nothing faster runs nested here)
 * @param l2Viommu        L2's vIOMMU
 * @param l1MemoryMiB     L1 RAM
 * @param l2MemoryMiB     L2 RAM
 * @param l2MemlockLimit  RLIMIT_MEMLOCK of the L2 QEMU process, as /proc/PID/limits says
 */
public record RunEnvironment(
        String hostKernel,
        String guestKernel,
        KernelBuild testKernel,
        String qemuVersion,
        Accel l1Accel,
        Accel l2Accel,
        String l2Viommu,
        int l1MemoryMiB,
        int l2MemoryMiB,
        String l2MemlockLimit) {

    static String commandOutput(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().findFirst().orElse("").trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }
}
