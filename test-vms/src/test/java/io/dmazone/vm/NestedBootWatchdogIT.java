package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * l1-nested.sh's L2 boot watchdog: an L2 whose CPUs never start (QEMU -S) prints
 * nothing, is killed at the first-output limit, its files are kept as attempt 1, and L2
 * boots again under the default silence limit and runs its command; the result records
 * the retry.
 */
@Tag("vm")
class NestedBootWatchdogIT {

    @Test
    void aStalledL2BootIsKilledAndBootedAgainAndTheRetryIsRecorded() throws Exception {
        NestedResult result = NestedRun.run(NestedSpec.builder("nested-watchdog")
                .passthrough(GuestDevice.E1000E)
                .l2Command("echo l2-ran")
                .l2FirstOutput(Duration.ofSeconds(30))
                .l2StalledBoots(1)
                .l2Timeout(Duration.ofMinutes(2))
                .build());

        assertThat(result.l2ExitStatus()).isZero();
        assertThat(result.l2Output()).contains("l2-ran");
        assertThat(result.l2BootRetries()).hasSize(1);
        BootRetry retry = result.l2BootRetries().get(0);
        assertThat(retry.attempt()).isEqualTo(1);
        assertThat(retry.reason()).isEqualTo("no console output within 30 s of L2's QEMU start");
        assertThat(retry.seconds()).as("killed at the first-output limit").isBetween(30.0, 30.0 + 15);
        assertThat(Path.of(retry.consoleLog())).exists();
        assertThat(Files.readString(result.l2Console())).contains("L2-CMD-START");
        assertThat(Files.readString(result.runDirectory().resolve("nested-result.json")))
                .contains("l2BootRetries").contains("no console output within 30 s");
    }
}
