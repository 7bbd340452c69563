package io.dmazone.vm;

import io.dmazone.zone.VIommu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Several nested specs in one L1, side by side: each spec is a lane ({@link HubLane}) with its
 * own e1000e, hub, L2 QEMU and share directory; l1-side-by-side.sh inside L1 boots the L2s two
 * at a time, then gives every ready lane one turn per round, in a fresh shuffled order
 * each round, while the others idle. Each lane's companion must take turns
 * ({@link L1Companions#matrix}); each lane's L2 must serve until its companion lets it
 * go. A lane that fails is reported and the others still run.
 */
public final class SideBySideRun {
    /** L1's vCPUs; also how many L2s boot at once, since an L2 boot under TCG keeps one busy. */
    private static final int L1_CPUS = 2;
    /** L1 RAM of its own, beside its L2s. */
    private static final int L1_BASE_MIB = 1024;
    /** What L1 needs per L2 beyond that L2's RAM: its QEMU (TCG's code buffer), sampler JVM, buffers. */
    private static final int L1_PER_LANE_MIB = 384;

    private SideBySideRun() {
    }

    /**
     * How the run went.
     *
     * @param results      the lanes that ran to the end, in lane order
     * @param failures     the lanes that did not, by spec name, with why, in lane order
     * @param roundOrders  the order of the lanes' turns in each round, as L1 drew it
     * @param idleCpuShare by lane: the CPU time its L2 QEMU took while it waited for others' turns,
     *                     over the time those turns took (0.05: 5 % of one of L1's CPUs), in lane order
     * @param runDirectory where the run's files are
     */
    public record Outcome(List<NestedResult> results, Map<String, VmException> failures, List<List<String>> roundOrders,
            Map<String, Double> idleCpuShare, Path runDirectory) {
        public Outcome {
            results = List.copyOf(results);
            // unmodifiable, in lane order (Map.copyOf would lose it)
            failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
            roundOrders = List.copyOf(roundOrders);
            idleCpuShare = Collections.unmodifiableMap(new LinkedHashMap<>(idleCpuShare));
        }
    }

    /**
     * Runs {@code lanes} side by side in one L1, {@code rounds} rounds of turns, each turn at
     * most {@code turnTimeout}. Every lane's spec passes one e1000e on a hub
     * ({@link GuestDevice#E1000E_HUB}); lane i gets L1's i-th e1000e.
     *
     * @throws VmException when L1 itself could not run (a lane's own failure is in the outcome)
     */
    public static Outcome run(String name, List<NestedSpec> lanes, int rounds, Duration turnTimeout) {
        return run(name, lanes, rounds, turnTimeout, line -> { });
    }

    /**
     * {@link #run(String, List, int, Duration)}, telling {@code progress} each step of L1's
     * launcher as it happens ("lane-ready zone-intel after 96 s", "round 2 order ...").
     */
    public static Outcome run(String name, List<NestedSpec> lanes, int rounds, Duration turnTimeout,
            Consumer<String> progress) {
        if (lanes.isEmpty() || lanes.size() > HubLane.MAX_LANES) {
            throw new IllegalArgumentException("lanes: " + lanes.size() + " must be 1.." + HubLane.MAX_LANES);
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds: " + rounds + " must be at least 1");
        }
        for (NestedSpec lane : lanes) {
            if (!lane.passthrough().equals(List.of(GuestDevice.E1000E_HUB))) {
                throw new IllegalArgumentException("lane " + lane.name() + " passes " + lane.passthrough()
                        + "; a side-by-side lane passes exactly one " + GuestDevice.E1000E_HUB.label());
            }
            if (!lane.l1QemuArgs().isEmpty()) {
                throw new IllegalArgumentException("lane " + lane.name() + " gives L1's QEMU " + lane.l1QemuArgs()
                        + "; the lanes share one L1: run it on its own (NestedRun)");
            }
        }
        long started = System.nanoTime();
        Path runDir = Project.newRunDirectory(name);
        Path bin = runDir.resolve("bin");
        Path share = runDir.resolve("share");
        Runnable prepare = () -> prepareShare(lanes, rounds, turnTimeout, bin, runDir, share);
        prepare.run();

        Duration boots = Duration.ZERO;
        int memoryMiB = L1_BASE_MIB;
        VmSpec.Builder l1 = VmSpec.builder(name + "-l1")
                .cpus(L1_CPUS)
                .viommu(VIommu.INTEL_IOMMU)
                .sharedDir(share, NestedRun.L1_SHARE)
                .command(installScripts(bin) + " " + NestedRun.L1_SHARE)
                .heartbeat(share, NestedRun.L1_HEARTBEAT_SILENCE);
        for (int i = 0; i < lanes.size(); i++) {
            NestedSpec lane = lanes.get(i);
            new HubLane(i).outerQemuArgs().forEach(l1::qemuArg);
            memoryMiB += lane.l2MemoryMiB() + L1_PER_LANE_MIB;
            boots = boots.plus(NestedRun.laneTimeout(lane));
        }
        // Each lane's l1-nested.sh has its own limits, and they overlap; their sum bounds L1.
        l1.memoryMiB(memoryMiB).timeout(boots.plus(turnTimeout.multipliedBy((long) rounds * lanes.size()))
                .plus(NestedRun.L1_OVERHEAD));
        List<BootRetry> stalls = new ArrayList<>();
        VmResult l1Result;
        try (EventFollower following = new EventFollower(share.resolve("events.log"), progress)) {
            l1Result = NestedRun.runL1(name, l1.build(), runDir, stalls, prepare);
        }

        Map<String, List<String>> events = NestedRun.readEvents(share.resolve("events.log"));
        if (l1Result.exitStatus() != 0 || !events.containsKey("rounds-done")) {
            throw new VmException("L1 of " + name + " did not run its lanes to the end (exit " + l1Result.exitStatus()
                    + "); see " + share.resolve("events.log") + " and " + l1Result.consoleLog(),
                    NestedRun.tail(NestedRun.readIfExists(l1Result.consoleLog())));
        }
        List<NestedResult> results = new ArrayList<>();
        Map<String, VmException> failures = new LinkedHashMap<>();
        for (NestedSpec lane : lanes) {
            try {
                NestedResult result = NestedRun.resultOf(lane, l1Result, runDir, share.resolve(lane.name()), started,
                        stalls);
                Reports.write(share.resolve(lane.name()).resolve("nested-result.json"), result);
                results.add(result);
            } catch (VmException e) {
                failures.put(lane.name(), e);
            }
        }
        // "EPOCH_MS round N order LANE..."
        List<List<String>> orders = events.getOrDefault("round", List.of()).stream()
                .map(line -> line.contains(" order ") ? line.substring(line.indexOf(" order ") + 7).trim() : "")
                .map(order -> order.isEmpty() ? List.<String>of() : List.of(order.split("\\s+")))
                .toList();
        return new Outcome(results, failures, orders, idleCpuShares(events.getOrDefault("idle-ticks", List.of())),
                runDir);
    }

    /**
     * Per lane, the share of one CPU its L2 QEMU took while idle, from l1-side-by-side.sh's
     * "EPOCH_MS idle-ticks round R turn LANE ms MILLIS clk_tck HZ [OTHER TICKS]..." events.
     */
    static Map<String, Double> idleCpuShares(List<String> idleTickEvents) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<String, Double> idleSeconds = new LinkedHashMap<>();
        for (String line : idleTickEvents) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[6].equals("ms") || !f[8].equals("clk_tck")) {
                throw new IllegalArgumentException("not an idle-ticks event: " + line);
            }
            double turnSeconds = Long.parseLong(f[7]) / 1000.0;
            double hz = Double.parseDouble(f[9]);
            for (int i = 10; i + 1 < f.length; i += 2) {
                seconds.merge(f[i], Long.parseLong(f[i + 1]) / hz, Double::sum);
                idleSeconds.merge(f[i], turnSeconds, Double::sum);
            }
        }
        Map<String, Double> shares = new LinkedHashMap<>();
        seconds.forEach((lane, cpu) -> shares.put(lane, idleSeconds.get(lane) > 0 ? cpu / idleSeconds.get(lane)
                : Double.NaN));
        return shares;
    }

    /** The lanes' directories (each as l1-nested.sh reads it), the list of lanes and the launcher's settings. */
    private static void prepareShare(List<NestedSpec> lanes, int rounds, Duration turnTimeout, Path bin, Path runDir,
            Path share) {
        List<String> names = new ArrayList<>();
        long bootWait = 0;
        for (int i = 0; i < lanes.size(); i++) {
            NestedSpec lane = lanes.get(i);
            NestedRun.prepareLane(lane, bin, share.resolve(lane.name()), runDir.resolve("l2-" + lane.name()),
                    NestedRun.L1_SHARE + "/" + lane.name(), NestedRun.passthroughIds(lane, i));
            names.add(lane.name());
            bootWait = Math.max(bootWait, lane.l2BootTimeout().multipliedBy(lane.l2BootAttempts()).toSeconds());
        }
        try {
            Files.write(share.resolve("lanes"), names);
            Files.writeString(share.resolve("side-by-side.env"), "ROUNDS=" + rounds
                    + "\nBOOT_PARALLEL=" + L1_CPUS
                    // binding and planning before L2's boots, and the companion's checks after
                    + "\nBOOT_WAIT_S=" + (bootWait + 300)
                    + "\nTURN_WAIT_S=" + turnTimeout.toSeconds() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the side-by-side settings into " + share, e);
        }
    }

    /** Hands each new line of L1's events.log, without its time, to a consumer, every 2 s until closed. */
    private static final class EventFollower implements AutoCloseable {
        private final Thread thread;

        EventFollower(Path events, Consumer<String> progress) {
            thread = new Thread(() -> {
                int seen = 0;
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        List<String> lines = Files.exists(events) ? Files.readAllLines(events) : List.of();
                        // a new attempt of L1 starts the file again
                        seen = Math.min(seen, lines.size());
                        lines.subList(seen, lines.size()).forEach(l -> progress.accept(l.replaceFirst("^\\d+ ", "")));
                        seen = lines.size();
                        Thread.sleep(2000);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException | RuntimeException e) {
                    progress.accept("(no more progress: " + e.getMessage() + ")");
                }
            }, "side-by-side-events");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }

    /** Installs l1-side-by-side.sh beside l1-nested.sh and its helpers; returns l1-side-by-side.sh. */
    private static Path installScripts(Path bin) {
        NestedRun.installL1Scripts(bin);
        return Project.installScript("l1-side-by-side.sh", bin);
    }
}
