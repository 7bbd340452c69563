package io.dmazone.vm;

import java.nio.file.Path;
import java.util.List;

/**
 * How a VM run ended.
 *
 * @param name               the spec's name
 * @param exitStatus         the guest command's exit status (the verdict)
 * @param output             what the guest command printed on stdout
 * @param consoleLog         kernel console and the command's stderr, in order
 * @param runDirectory       where this run's files are
 * @param accel              the accelerator, as read from inside the guest
 * @param guestKernel        {@code uname -r} in the guest
 * @param bootSeconds        guest uptime when the command started
 * @param wallSeconds        launch to power-off, on the host
 * @param bootRetries        the boots the watchdog killed before this one, oldest first
 */
public record VmResult(
        String name,
        int exitStatus,
        String output,
        Path consoleLog,
        Path runDirectory,
        Accel accel,
        String guestKernel,
        double bootSeconds,
        double wallSeconds,
        List<BootRetry> bootRetries) {

    public VmResult {
        bootRetries = List.copyOf(bootRetries);
    }

    /** This result with the retries that came before it. */
    VmResult withBootRetries(List<BootRetry> retries) {
        return new VmResult(name, exitStatus, output, consoleLog, runDirectory, accel, guestKernel, bootSeconds,
                wallSeconds, retries);
    }

    /** Whether the guest command exited 0. */
    public boolean succeeded() {
        return exitStatus == 0;
    }
}
