package io.dmazone.cli;

import io.dmazone.DmazoneException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dmazone matrix}: the main job from a checkout. Builds (or finds) the test kernel and
 * the instruction-counting QEMU plugin, builds the modules against the kernel, then runs the
 * nested matrix, whose per-mode lines and tables
 * it passes through. The long builds write their output to log files; on a terminal a bar
 * shows their elapsed time instead, elsewhere a line every {@value #PROGRESS_SECONDS} s.
 */
@Command(name = "matrix", mixinStandardHelpOptions = true,
        description = {"Run the main job: every mode of the nested matrix (pinned memory, throughput, VFIO map "
                + "calls), on the lean test kernel or on your tree. Runs from a checkout of dmazone; as root.",
                "Then the edu benchmark (DMA round trips, full pinning, vIOMMU dynamic, the zone) and the NVMe pair "
                        + "(full pinning vs the zone by dmazone's DMA ops).",
                "Exit status 1 when a mode failed or a pinning or map-call target was missed."})
final class MatrixCommand extends Subcommand {
    /** The modes, as ThroughputMatrixMain names them. */
    static final List<String> MODES = List.of("FULL_PINNING", "VIOMMU_DYNAMIC", "ZONE_INTEL", "ZONE_INTEL_HOT_ADD",
            "ZONE_INTEL_TX_PER_FRAME", "ZONE_VIRTIO", "ZONE_DMA_OPS");
    static final int PROGRESS_SECONDS = 30;

    @Option(names = "--kernel-tree", paramLabel = "DIR",
            description = "Build and boot this kernel source tree instead of Debian's linux-source.")
    Path kernelTree;

    @Option(names = "--mode", paramLabel = "MODE", split = ",",
            description = "Modes to run (default all): full-pinning, viommu-dynamic, zone-intel, "
                    + "zone-intel-hot-add, zone-intel-tx-per-frame, zone-virtio, zone-dma-ops.")
    List<String> modes;

    @Option(names = "--seconds", defaultValue = "10", paramLabel = "N",
            description = "Seconds of iperf3 each way per mode and round (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--rounds", defaultValue = "6", paramLabel = "R",
            description = "Rounds, each running every mode once both ways in a shuffled order (default "
                    + "${DEFAULT-VALUE}); medians and paired ratios get a 95 %% confidence interval from 6 rounds on.")
    int rounds;

    @Option(names = "--nvme-pair", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "After the matrix, the NVMe pair: full pinning vs the zone by dmazone's DMA ops, each in an "
                    + "L1 of its own, with the stock nvme driver (default on; --no-nvme-pair skips it).")
    boolean nvmePair;

    @Option(names = "--edu-bench", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "After the matrix, the edu benchmark: DMA round trips through QEMU's edu device in full "
                    + "pinning, vIOMMU dynamic and the zone, each in an L1 of its own on icount (default on; "
                    + "--no-edu-bench skips it).")
    boolean eduBench;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where the logs of the builds go (default: test-vms/target/reports in the checkout).")
    Path out;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (seconds < 5 || seconds > 600) {
            throw new IllegalArgumentException("--seconds " + seconds + " must be between 5 and 600");
        }
        if (rounds < 1 || rounds > 50) {
            throw new IllegalArgumentException("--rounds " + rounds + " must be between 1 and 50");
        }
        List<String> chosen = new ArrayList<>();
        for (String m : modes == null ? List.<String>of() : modes) {
            String name = m.toUpperCase(Locale.ROOT).replace('-', '_');
            if (!MODES.contains(name)) {
                throw new IllegalArgumentException("unknown mode \"" + m + "\"; use one of " + String.join(", ",
                        MODES.stream().map(n -> n.toLowerCase(Locale.ROOT).replace('_', '-')).toList()));
            }
            chosen.add(name);
        }
        if (kernelTree != null && !Files.isDirectory(kernelTree.resolve("kernel"))) {
            throw new IllegalArgumentException("--kernel-tree " + kernelTree + " is not a kernel source tree "
                    + "(no kernel/ folder in it)");
        }
        Path root = checkout();
        Path logs = out != null ? out : root.resolve("test-vms/target/reports");
        Files.createDirectories(logs);
        PrintWriter w = spec.commandLine().getOut();

        List<String> build = new ArrayList<>(List.of("bash", root.resolve("kernel/build.sh").toString()));
        if (kernelTree != null) {
            build.addAll(List.of("--tree", kernelTree.toAbsolutePath().toString()));
        }
        String kernel = step(w, "kernel", build, logs.resolve("kernel-build.log"), root).strip();
        w.println("kernel: " + kernel);
        // counts L2's instructions in every mode; the harness finds it through qemu-plugin/current
        String plugin = step(w, "plugin", List.of("bash", root.resolve("test-vms/qemu-plugin/build.sh").toString()),
                logs.resolve("qemu-plugin-build.log"), root).strip();
        w.println("instruction counter: " + plugin);
        // Not cli itself: this JVM runs from cli/target, whose jars a rebuild would replace under it.
        step(w, "modules", List.of("mvn", "-B", "-ntp", "-q", "-DskipTests", "-Ddmazone.kernel=" + kernel, "-pl", "!cli",
                "install"), logs.resolve("modules-build.log"), root);
        List<String> matrix = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-q", "-Dstyle.color=never",
                "-f", "test-vms/pom.xml", "-Ddmazone.kernel=" + kernel, "exec:java", "-Dexec.args=" + seconds + " " + rounds
                        + (chosen.isEmpty() ? "" : " " + String.join(" ", chosen))));
        w.println("matrix: " + (chosen.isEmpty() ? "every mode" : String.join(", ", chosen)) + ", " + rounds
                + " round(s) of iperf3 " + seconds + " s each way");
        w.flush();
        int status = new ProcessBuilder(matrix).directory(root.toFile()).inheritIO().start().waitFor();
        // the benchmarks after the matrix run whatever its outcome: their figures stand on their own
        if (eduBench) {
            int eduStatus = runMain(w, root, kernel, "io.dmazone.measure.EduBenchMain",
                    "edu benchmark: full pinning, vIOMMU dynamic, the zone");
            status = status != 0 ? status : eduStatus;
        }
        if (nvmePair) {
            int pairStatus = runMain(w, root, kernel, "io.dmazone.measure.NvmePairMain",
                    "nvme pair: full pinning, then the zone by dmazone's DMA ops");
            status = status != 0 ? status : pairStatus;
        }
        return status == 0 ? Dmazone.OK : Dmazone.FAILED;
    }

    /** Runs one of test-vms' programs on {@code kernel}, its output passed through; returns its exit status. */
    private static int runMain(PrintWriter w, Path root, String kernel, String mainClass, String title)
            throws IOException, InterruptedException {
        w.println(title);
        w.flush();
        List<String> cmd = List.of("mvn", "-B", "-ntp", "-q", "-Dstyle.color=never", "-f", "test-vms/pom.xml",
                "-Ddmazone.kernel=" + kernel, "-Ddmazone.main=" + mainClass, "exec:java");
        return new ProcessBuilder(cmd).directory(root.toFile()).inheritIO().start().waitFor();
    }

    /** The checkout bin/dmazone runs from. */
    static Path checkout() {
        String root = System.getProperty("dmazone.root");
        if (root == null || !Files.isRegularFile(Path.of(root, "kernel/build.sh"))) {
            throw new DmazoneException("dmazone matrix runs from a checkout of dmazone: start it as bin/dmazone there");
        }
        return Path.of(root);
    }

    /**
     * Runs a build step with its output in {@code log}, showing its elapsed time (a bar on a
     * terminal, a line every {@value #PROGRESS_SECONDS} s otherwise); returns its standard output.
     */
    private String step(PrintWriter w, String name, List<String> cmd, Path log, Path dir)
            throws IOException, InterruptedException {
        w.println(name + ": " + String.join(" ", cmd) + " (log: " + log + ")");
        w.flush();
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(log.toFile()).start();
        StringBuilder stdout = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(l -> stdout.append(l).append('\n'));
            } catch (IOException e) {
                stdout.append("(output lost: ").append(e).append(")\n");
            }
        });
        reader.start();
        if (verbosity.quiet()) {
            p.waitFor();
        } else if (onTerminal()) {
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName(name).setUnit(" s", 1)
                    .setStyle(ProgressBarStyle.UNICODE_BLOCK).hideEta().clearDisplayOnFinish()
                    .setUpdateIntervalMillis(1000).build()) {
                while (!p.waitFor(1, TimeUnit.SECONDS)) {
                    bar.stepTo((System.nanoTime() - start) / 1_000_000_000L);
                }
            }
        } else {
            while (!p.waitFor(PROGRESS_SECONDS, TimeUnit.SECONDS)) {
                w.printf("%s: %d s%n", name, (System.nanoTime() - start) / 1_000_000_000L);
                w.flush();
            }
        }
        reader.join();
        long secs = (System.nanoTime() - start) / 1_000_000_000L;
        if (p.exitValue() != 0) {
            // stdout of a failed mvn -q holds its errors: keep them in the log too.
            Files.writeString(log, stdout, java.nio.file.StandardOpenOption.APPEND);
            throw new DmazoneException(name + " failed after " + secs + " s (exit " + p.exitValue() + "); see " + log);
        }
        w.println(name + ": done in " + secs + " s");
        w.flush();
        return stdout.toString();
    }

    /** Standard input and output are a terminal, not a CI log (CI=true) or a dumb one. */
    private static boolean onTerminal() {
        String term = System.getenv("TERM");
        return System.console() != null && System.getenv("CI") == null && term != null && !term.equals("dumb");
    }
}
