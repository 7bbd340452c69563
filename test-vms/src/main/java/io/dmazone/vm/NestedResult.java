package io.dmazone.vm;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * How a nested run went, with the pinned-memory series of L2's QEMU as seen in L1.
 *
 * @param name                 the spec's name
 * @param environment          what it ran on
 * @param passthrough          devices L2 got
 * @param l2ExitStatus         L2 command's exit status, or -1 if L2 never printed one
 * @param l2Output             what the L2 command printed (its part of L2's console)
 * @param l2Console            L2's whole serial console
 * @param l1CompanionOutput    what the spec's L1 companion printed (empty without one)
 * @param l1BootSeconds        L1 uptime when its command started
 * @param l2BootWallSeconds    L2 QEMU start to L2 command start, measured in L1
 * @param l2BootUptimeSeconds  L2 uptime when its command started
 * @param l2WallSeconds        L2 QEMU start to exit, measured in L1
 * @param wallSeconds          the whole nested run on the host
 * @param samples              VmLck/VmPin of L2's QEMU over the whole L2 run
 * @param peak                 the sample with the most pinned memory
 * @param steady               the last sample while L2's command ran
 * @param runDirectory         where the run's files are
 * @param shareDirectory       L2's files from L1 (its console, L1's samples and companion files):
 *                             the run's share, or a side-by-side lane's directory in it
 * @param l1BootRetries        L1 boots the watchdog killed before the one that ran
 * @param l2BootRetries        L2 boots l1-nested.sh killed before the one that ran
 */
public record NestedResult(
        String name,
        RunEnvironment environment,
        List<GuestDevice> passthrough,
        int l2ExitStatus,
        String l2Output,
        Path l2Console,
        String l1CompanionOutput,
        double l1BootSeconds,
        double l2BootWallSeconds,
        double l2BootUptimeSeconds,
        double l2WallSeconds,
        double wallSeconds,
        List<PinnedSample> samples,
        PinnedSample peak,
        PinnedSample steady,
        Path runDirectory,
        Path shareDirectory,
        List<BootRetry> l1BootRetries,
        List<BootRetry> l2BootRetries) {

    public NestedResult {
        samples = List.copyOf(samples);
        l1BootRetries = List.copyOf(l1BootRetries);
        l2BootRetries = List.copyOf(l2BootRetries);
    }

    /** The sample with the most pinned memory, if any was taken. */
    static Optional<PinnedSample> peakOf(List<PinnedSample> samples) {
        return samples.stream().max(Comparator.comparingLong(PinnedSample::pinnedKiB));
    }

    /** The last sample taken while L2's command ran, if any. */
    static Optional<PinnedSample> steadyOf(List<PinnedSample> samples) {
        return samples.stream().filter(s -> s.phase().equals("command")).reduce((a, b) -> b);
    }

    /** L2's RAM in KiB, the figure full pinning locks. */
    public long l2MemoryKiB() {
        return environment.l2MemoryMiB() * 1024L;
    }
}
