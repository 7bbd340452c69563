package io.dmazone.cli;

import io.dmazone.DmazoneException;
import io.dmazone.Sizes;
import io.dmazone.zone.ZonePlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dmazone launch [plan options] -- qemu-system-x86_64 ...}: runs QEMU under the plan's
 * pin budget. util-linux's prlimit sets RLIMIT_MEMLOCK (soft = hard = budget) and execs, so
 * the limit holds from QEMU's first pin (unlike {@link ZonePlan#applyTo(Process)}, which can
 * only cover pins made after QEMU runs) and this process's own limit never changes; setpriv
 * then drops CAP_IPC_LOCK, which would exempt QEMU from the limit, from its bounding and
 * inheritable sets.
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = {"Run QEMU under the plan's RLIMIT_MEMLOCK budget, without CAP_IPC_LOCK, and print its pinned "
                + "footprint whenever it changes. The QEMU command comes after --; add the plan's arguments to it "
                + "yourself (dmazone plan --format qemu-args prints them).",
                "Exit status: 0 when QEMU exits with 0, 1 when it fails."})
final class LaunchCommand extends Subcommand {
    /** Drops CAP_IPC_LOCK for the program it runs, so RLIMIT_MEMLOCK binds VFIO's pins. */
    static final List<String> WITHOUT_IPC_LOCK = List.of("setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--");

    @Mixin
    PlanOptions options;

    @Option(names = "--memlock-budget", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "The host's pin budget for this guest: refuse (exit 2, before QEMU starts) a plan that pins "
                    + "more than SIZE at startup or in steady state, e.g. intel-iommu with the device present from "
                    + "the start; QEMU then runs under SIZE instead of the plan's own figure.")
    Long budgetBytes;

    @Option(names = "--interval", defaultValue = "1", paramLabel = "SECONDS",
            description = "Seconds between footprint samples (default ${DEFAULT-VALUE}).")
    double intervalSeconds;

    @Parameters(paramLabel = "QEMU-COMMAND", arity = "1..*", description = "The QEMU command line, after --.")
    List<String> command;

    @Override
    public Integer call() throws InterruptedException {
        if (!(intervalSeconds > 0)) {
            throw new IllegalArgumentException("--interval must be positive, e.g. 1");
        }
        ZonePlan plan = options.plan();
        long limit = plan.memlockBytes();
        if (budgetBytes != null) {
            plan.requireWithin(budgetBytes);
            limit = budgetBytes;
        }
        boolean dropIpcLock = HostFacts.system().hasCapability(HostFacts.CAP_IPC_LOCK);
        requireOnPath("prlimit", "install util-linux");
        List<String> argv = new ArrayList<>(List.of("prlimit", "--memlock=" + limit + ":" + limit,
                "--"));
        if (dropIpcLock) {
            requireOnPath("setpriv", "install util-linux");
            argv.addAll(WITHOUT_IPC_LOCK);
        }
        argv.addAll(command);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = verbosity.quiet() ? new PrintWriter(Writer.nullWriter()) : spec.commandLine().getOut();

        Process qemu;
        try {
            qemu = new ProcessBuilder(argv).inheritIO().start();
        } catch (IOException e) {
            throw new DmazoneException("cannot start " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
        Thread stopQemu = new Thread(() -> stop(qemu), "dmazone-launch-stop");
        Runtime.getRuntime().addShutdownHook(stopQemu);
        try {
            if (!verbosity.quiet()) {
                err.println("dmazone launch: pid " + qemu.pid() + " runs under RLIMIT_MEMLOCK "
                        + Sizes.format(limit) + (dropIpcLock ? ", without CAP_IPC_LOCK" : "") + " ("
                        + plan.viommu() + ", zone " + Sizes.format(plan.zone().size()) + ")");
                err.flush();
            }
            Duration interval = Duration.ofMillis(Math.max(1, Math.round(intervalSeconds * 1000)));
            FootprintWatch watch = new FootprintWatch(qemu.pid(), interval, out, false, verbosity.verbose());
            watch.run(0);
            int status = qemu.waitFor();
            if (!verbosity.quiet() || status != 0) {
                err.println("dmazone launch: " + String.join(" ", command.subList(0, 1)) + " exited with status " + status
                        + "; highest VmLck " + Sizes.format(watch.highestLocked()) + " of the budget "
                        + Sizes.format(limit));
                err.flush();
            }
            return status == 0 ? Dmazone.OK : Dmazone.FAILED;
        } finally {
            stop(qemu);
            try {
                Runtime.getRuntime().removeShutdownHook(stopQemu);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private static void stop(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void requireOnPath(String program, String hint) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        throw new DmazoneException(program + " is not on PATH; " + hint);
    }
}
