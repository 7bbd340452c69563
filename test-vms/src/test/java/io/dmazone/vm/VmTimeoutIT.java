package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Test 4, a hanging guest: killed at the timeout, reported with the console tail, nothing left running. */
@Tag("vm")
class VmTimeoutIT {
    /** Long enough to tell "killed at the deadline" from "killed at once"; the boot is not in it. */
    private static final int TIMEOUT_S = 20;

    @Test
    void hangingCommandIsKilledAtTheTimeoutWithTheConsoleTail() {
        VmSpec spec = VmSpec.builder("hang")
                .memoryMiB(512)
                .cpus(1)
                .command("echo about-to-hang; sleep 3600")
                .timeout(Duration.ofSeconds(TIMEOUT_S))
                .build();
        long start = System.nanoTime();
        VmTimeoutException e = catchThrowableOfType(() -> Vm.run(spec), VmTimeoutException.class);
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(e).as("a VmTimeoutException").isNotNull();
        assertThat(e.getMessage()).startsWith("VM hang did not finish within " + TIMEOUT_S + " s of its command's start and was killed; console tail:");
        assertThat(e.consoleTail()).contains("about-to-hang");
        assertThat(seconds).as("killed at the deadline after the boot, not later").isBetween((double) TIMEOUT_S, TIMEOUT_S + 120.0);
        assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("qemu-system"))
                .filter(p -> p.info().commandLine().orElse("").contains("-name hang")))
                .as("QEMU of the killed VM").isEmpty();
    }
}
