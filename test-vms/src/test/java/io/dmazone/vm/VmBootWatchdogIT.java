package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The boot watchdog on real VMs: a boot whose CPUs never start (QEMU -S) prints
 * nothing, is killed at the silence limit and booted again; the retry is in the
 * result with its reason and console. Every attempt hung: a BootHangException. A guest
 * whose command stops writing to its heartbeat directory is killed as stalled.
 */
@Tag("vm")
class VmBootWatchdogIT {

    private static VmSpec.Builder stalled(String name, int stalledBoots, int attempts) {
        return VmSpec.builder(name).memoryMiB(512).cpus(1)
                .command("echo booted-and-ran")
                .bootSilence(Duration.ofSeconds(20))
                .bootAttempts(attempts)
                .stalledBoots(stalledBoots)
                .timeout(Duration.ofMinutes(2));
    }

    @Test
    void aStalledBootIsKilledAndBootedAgainAndTheRetryIsRecorded() throws Exception {
        long start = System.nanoTime();
        VmResult result = Vm.run(stalled("stall-once", 1, 3).build());
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(result.exitStatus()).isZero();
        assertThat(result.output()).contains("booted-and-ran");
        assertThat(result.bootRetries()).hasSize(1);
        BootRetry retry = result.bootRetries().get(0);
        assertThat(retry.attempt()).isEqualTo(1);
        assertThat(retry.reason()).isEqualTo("no console output for 20 s before the guest command started");
        assertThat(retry.seconds()).as("killed at the silence limit").isBetween(20.0, 20.0 + 15);
        assertThat(Path.of(retry.consoleLog())).exists();
        assertThat(Files.readString(Path.of(retry.consoleLog()))).doesNotContain(VngCommandLine.FACTS_MARKER + " ");
        assertThat(Files.readString(result.runDirectory().resolve("result.json"))).contains("bootRetries")
                .contains("no console output for 20 s");
        assertThat(seconds).as("one stalled attempt and one boot").isLessThan(20 + 15 + 180);
    }

    @Test
    void everyBootHungIsABootHangExceptionWithEachAttempt() {
        BootHangException e = catchThrowableOfType(() -> Vm.run(stalled("stall-always", 2, 2).build()),
                BootHangException.class);

        assertThat(e).as("a BootHangException").isNotNull();
        assertThat(e.attempts()).extracting(BootRetry::attempt).containsExactly(1, 2);
        assertThat(e.getMessage()).contains("hung while booting, 2 time(s)");
        assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("qemu-system"))
                .filter(p -> p.info().commandLine().orElse("").contains("-name stall-always")))
                .as("QEMU of the hung VM").isEmpty();
    }

    /** The command writes once, then goes quiet (as an L1 whose timer interrupts stopped does). */
    @Test
    void aCommandThatStopsWritingItsHeartbeatIsKilledAsStalled() throws Exception {
        Path share = Project.newRunDirectory("heartbeat-share");
        Files.createDirectories(share);
        long start = System.nanoTime();
        GuestStalledException e = catchThrowableOfType(() -> Vm.run(VmSpec.builder("quiet-command").memoryMiB(512)
                .cpus(1)
                .sharedDir(share, "/tmp/beat")
                .heartbeat(share, Duration.ofSeconds(20))
                .command("echo alive > /tmp/beat/progress; sleep 600")
                .timeout(Duration.ofMinutes(12))
                .build()), GuestStalledException.class);
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(e).as("a GuestStalledException").isNotNull();
        assertThat(Files.readString(share.resolve("progress")).strip()).as("the beat the guest wrote").isEqualTo("alive");
        assertThat(e.reason()).startsWith("nothing written to " + share + " for ");
        assertThat(seconds).as("killed at the heartbeat limit, not the 10-minute command timeout").isLessThan(240);
        assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("-name quiet-command")))
                .as("QEMU of the stalled VM").isEmpty();
    }
}
