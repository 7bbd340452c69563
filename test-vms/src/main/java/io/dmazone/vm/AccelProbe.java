package io.dmazone.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Chooses KVM only where a short boot shows that it really runs the test kernel.
 * A /dev/kvm that exists is not enough: a paravirtual KVM (PVM) has one and cannot
 * run a stock kernel ("failed to set MSR 0x10a", or "KVM internal error").
 */
final class AccelProbe {
    /** Forces an accelerator ({@code tcg} or {@code kvm}) and skips the probe. */
    static final String ACCEL_PROPERTY = "dmazone.accel";
    private static final long PROBE_SECONDS = 90;
    private static Accel chosen;

    private AccelProbe() {
    }

    static synchronized Accel choose(Path kernel) {
        if (chosen == null) {
            chosen = probe(kernel);
        }
        return chosen;
    }

    private static Accel probe(Path kernel) {
        String forced = System.getProperty(ACCEL_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            return Accel.valueOf(forced.trim().toUpperCase(Locale.ROOT));
        }
        Path kvm = Path.of("/dev/kvm");
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            System.err.println("dmazone: /dev/kvm is not usable; guests run under TCG");
            return Accel.TCG;
        }
        Path dir = Project.newRunDirectory("kvm-probe");
        try {
            Process p = new ProcessBuilder(List.of(
                    Project.installScript("vm-guard.sh", dir.resolve("bin")).toString(),
                    "vng", "--disable-microvm", "--run", kernel.toString(), "--memory", "512M",
                    "--exec", "cat /sys/devices/system/clocksource/clocksource0/available_clocksource"))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("console.log").toFile())
                    .start();
            boolean exited = p.waitFor(PROBE_SECONDS, TimeUnit.SECONDS);
            if (!exited) {
                p.getOutputStream().close();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            String log = new String(Files.readAllBytes(dir.resolve("console.log")), StandardCharsets.UTF_8);
            if (exited && p.exitValue() == 0 && log.contains("kvm-clock")) {
                System.err.println("dmazone: KVM runs the test kernel; guests use KVM");
                return Accel.KVM;
            }
            System.err.println("dmazone: KVM cannot run the test kernel here (see " + dir.resolve("console.log")
                    + "); guests run under TCG");
            return Accel.TCG;
        } catch (IOException e) {
            System.err.println("dmazone: KVM probe failed (" + e.getMessage() + "); guests run under TCG");
            return Accel.TCG;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Accel.TCG;
        }
    }
}
