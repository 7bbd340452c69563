package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** No QEMU outlives its JVM, even one killed with SIGKILL (no shutdown hooks run). */
@Tag("vm")
class VmOutlivesNoJvmIT {

    /** Run in a child JVM: boots a VM that would run for an hour and prints its QEMU's pid. */
    public static void main(String[] args) throws Exception {
        Vm vm = Vm.boot(VmSpec.builder("orphan-check").memoryMiB(256).cpus(1)
                .command("sleep 3600").timeout(Duration.ofHours(1)).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> qemu = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains("-name orphan-check"))
                    .filter(p -> p.info().command().orElse("").contains("qemu-system"))
                    .findFirst();
            if (qemu.isPresent()) {
                System.out.println("QEMU_PID " + qemu.get().pid());
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            Thread.sleep(200);
        }
        System.out.println("NO_QEMU " + vm.console());
        System.exit(1);
    }

    @Test
    void killingTheJvmWithSigkillKillsItsQemu() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-D" + Project.ROOT_PROPERTY + "=" + Project.root(),
                "-D" + AccelProbe.ACCEL_PROPERTY + "=" + AccelProbe.choose(Kernels.testKernel()).name(),
                VmOutlivesNoJvmIT.class.getName())
                .redirectErrorStream(true).start();
        long qemuPid;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            do {
                line = r.readLine();
            } while (line != null && !line.startsWith("QEMU_PID ") && !line.startsWith("NO_QEMU "));
            assertThat(line).as("the child JVM's report").startsWith("QEMU_PID ");
            qemuPid = Long.parseLong(line.substring("QEMU_PID ".length()).trim());
            assertThat(ProcessHandle.of(qemuPid)).as("QEMU running before the kill").isPresent();

            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            child.waitFor(10, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        boolean orphaned = ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false);
        if (orphaned) {
            // This test started it: end it before failing.
            ProcessHandle.of(qemuPid).ifPresent(ProcessHandle::destroyForcibly);
        }
        assertThat(orphaned).as("QEMU %d alive after its JVM was killed", qemuPid).isFalse();
    }
}
