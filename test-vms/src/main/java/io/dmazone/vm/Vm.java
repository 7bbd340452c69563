package io.dmazone.vm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A booted test VM. Always closed: {@link #close()} kills it if it still runs,
 * a shutdown hook closes any left open, and a guard process kills QEMU when
 * this JVM dies without running hooks.
 */
public final class Vm implements AutoCloseable {
    private final VmSpec spec;
    private final Path runDirectory;
    private final Process guard;
    private final ConsoleLog console;
    private final StringBuffer output = new StringBuffer();
    private final List<Thread> pumps = new ArrayList<>();
    private final long launchedNanos = System.nanoTime();
    private final BootWatchdog watchdog;

    private Vm(VmSpec spec, Path runDirectory, Process guard, ConsoleLog console) {
        this.spec = spec;
        this.runDirectory = runDirectory;
        this.guard = guard;
        this.console = console;
        this.watchdog = new BootWatchdog(spec.bootSilence(), launchedNanos);
    }

    /**
     * Boots a VM as {@code spec} says, in a new run directory.
     *
     * @throws VmException when virtme-ng cannot be started
     */
    public static Vm boot(VmSpec spec) {
        return boot(spec, Project.newRunDirectory(spec.name()));
    }

    /** Boots a VM as {@code spec} says, keeping its files in {@code runDirectory}. */
    public static Vm boot(VmSpec spec, Path runDirectory) {
        return boot(spec, runDirectory, 1);
    }

    private static Vm boot(VmSpec spec, Path runDirectory, int attempt) {
        Accel accel = AccelProbe.choose(spec.kernel());
        Path commandFile = runDirectory.resolve("guest-command.sh");
        try {
            Files.createDirectories(runDirectory);
            for (GuestDevice device : spec.devices()) {
                device.prepare(runDirectory);
            }
            Files.writeString(commandFile, VngCommandLine.guestScript(spec), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + commandFile, e);
        }
        List<String> command = new ArrayList<>();
        command.add(Project.installScript("vm-guard.sh", runDirectory.resolve("bin")).toString());
        command.addAll(VngCommandLine.of(spec, accel, commandFile, attempt <= spec.stalledBoots()));
        ConsoleLog console = new ConsoleLog(runDirectory.resolve("console.log"));
        console.append("# " + String.join(" ", command));
        Process guard;
        try {
            guard = new ProcessBuilder(command).directory(runDirectory.toFile()).start();
        } catch (IOException e) {
            closeQuietly(console);
            throw new VmException("cannot start virtme-ng for VM " + spec.name() + ": " + e.getMessage()
                    + "; run ci/setup to install it", e);
        }
        Vm vm = new Vm(spec, runDirectory, guard, console);
        LiveVms.register(vm);
        vm.pump(guard.getInputStream(), true);
        vm.pump(guard.getErrorStream(), false);
        return vm;
    }

    /**
     * Boots, waits for the guest command to finish, and shuts the VM down. A boot the
     * watchdog finds hung (or that QEMU aborted) is killed and booted again, up to
     * {@link VmSpec#bootAttempts()} in all; each retry is printed and kept in the result.
     *
     * @throws BootHangException when every attempt hung
     */
    public static VmResult run(VmSpec spec) {
        return run(spec, Project.newRunDirectory(spec.name()));
    }

    /** {@link #run(VmSpec)} with the run's files in {@code runDirectory}. */
    public static VmResult run(VmSpec spec, Path runDirectory) {
        List<BootRetry> retries = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            try (Vm vm = boot(spec, runDirectory, attempt)) {
                VmResult result = vm.awaitExit().withBootRetries(retries);
                Reports.write(runDirectory.resolve("result.json"), result);
                return result;
            } catch (HungBoot hung) {
                retries.add(keepAttempt(runDirectory, attempt, hung.reason, hung.seconds, hung.excerpt));
            } catch (EmulatorCrashException crash) {
                retries.add(keepAttempt(runDirectory, attempt, "QEMU aborted before the guest command started",
                        Double.NaN, crash.consoleTail()));
            }
            if (attempt >= spec.bootAttempts()) {
                throw new BootHangException(spec.name(), retries);
            }
            System.err.println("dmazone: VM " + spec.name() + " hung while booting (" + retries.get(retries.size() - 1)
                    .reason() + "); booting it again, attempt " + (attempt + 1) + " of " + spec.bootAttempts());
        }
    }

    /** Moves the hung attempt's console aside, so the next boot starts a clean one. */
    private static BootRetry keepAttempt(Path runDirectory, int attempt, String reason, double seconds,
            String excerpt) {
        Path console = runDirectory.resolve("console.log");
        Path kept = runDirectory.resolve("console-attempt" + attempt + ".log");
        try {
            Files.move(console, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep " + console + " as " + kept, e);
        }
        return new BootRetry(attempt, reason, seconds, kept.toString(), excerpt);
    }

    private void pump(InputStream stream, boolean isOutput) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    console.append(line);
                    watchdog.line(line, System.nanoTime());
                    if (isOutput) {
                        output.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                console.append("# harness: lost VM stream: " + e.getMessage());
            }
        }, "vm-" + spec.name() + (isOutput ? "-stdout" : "-stderr"));
        t.setDaemon(true);
        t.start();
        pumps.add(t);
    }

    /** The spec this VM was booted from. */
    public VmSpec spec() {
        return spec;
    }

    /** Where this run's files are (console.log, result.json, shared directories). */
    public Path runDirectory() {
        return runDirectory;
    }

    /** The console so far. */
    public String console() {
        return console.contents();
    }

    /**
     * Waits until the guest powers off. The boot is bounded by the watchdog (see
     * {@link BootWatchdog}) and by {@link VmSpec#bootTimeout()}; the command, from
     * its start, by {@link VmSpec#timeout()}.
     *
     * @return the result, whatever the guest command's exit status
     * @throws VmTimeoutException when the command ran out of time; the VM has been killed
     */
    public VmResult awaitExit() {
        long commandStartedNanos = 0;
        try {
            while (!guard.waitFor(1, TimeUnit.SECONDS)) {
                long now = System.nanoTime();
                watchdog.tick(now);
                java.util.Optional<String> hang = watchdog.verdict();
                if (hang.isPresent()) {
                    String excerpt = console.tail();
                    close();
                    throw new HungBoot(hang.get(), (now - launchedNanos) / 1e9, excerpt);
                }
                if (!watchdog.commandStarted() && now - launchedNanos > spec.bootTimeout().toNanos()) {
                    String excerpt = console.tail();
                    close();
                    throw new HungBoot("the guest command had not started " + spec.bootTimeout().toSeconds()
                            + " s after launch", (now - launchedNanos) / 1e9, excerpt);
                }
                if (watchdog.commandStarted() && commandStartedNanos == 0) {
                    commandStartedNanos = now;
                }
                if (commandStartedNanos != 0 && now - commandStartedNanos > spec.timeout().toNanos()) {
                    close();
                    throw new VmTimeoutException(spec.name(), spec.timeout(), console.tail());
                }
                if (commandStartedNanos != 0 && spec.heartbeatDir() != null) {
                    long quiet = Math.min(now - commandStartedNanos, nanosSinceLastWrite(spec.heartbeatDir()));
                    if (quiet > spec.heartbeatSilence().toNanos()) {
                        String excerpt = console.tail();
                        close();
                        throw new GuestStalledException(spec.name(), "nothing written to " + spec.heartbeatDir()
                                + " for " + quiet / 1_000_000_000L + " s", (now - launchedNanos) / 1e9, excerpt);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new VmException("interrupted while waiting for VM " + spec.name(), e);
        }
        joinPumps();
        double wall = (System.nanoTime() - launchedNanos) / 1e9;
        String log = console.contents();
        GuestFacts facts = GuestFacts.findIn(log).orElseThrow(() -> {
            String message = "VM " + spec.name() + " exited with " + guard.exitValue()
                    + " before the guest command started; console tail:\n" + console.tail();
            if (EmulatorCrashException.seenIn(log)) {
                return new EmulatorCrashException(message, console.tail());
            }
            // Seen once on a fresh machine: virtme-ng's init powered the guest off right after
            // setting the hostname, without running the command and without a word on the
            // console. A boot that never reached its command: booted again like a hung one.
            return (VmException) new HungBoot("the VM powered off (exit " + guard.exitValue()
                    + ") before the guest command started", wall, console.tail());
        });
        VmResult result = new VmResult(spec.name(), guard.exitValue(), output.toString(), console.path(),
                runDirectory, facts.accel(), facts.kernelRelease(), facts.uptimeSeconds(), wall, List.of());
        Reports.write(runDirectory.resolve("result.json"), result);
        return result;
    }

    /** Nanoseconds since the newest file in {@code dir} (not below it) was last written. */
    static long nanosSinceLastWrite(Path dir) {
        long newest = 0;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                try {
                    newest = Math.max(newest, Files.getLastModifiedTime(f).toMillis());
                } catch (IOException e) {
                    // removed while listing
                }
            }
        } catch (IOException e) {
            return 0; // unreadable: no verdict
        }
        return newest == 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(Math.max(0, System.currentTimeMillis() - newest));
    }

    /** A boot the watchdog stopped: {@link #run} boots again, {@link #awaitExit} callers see a VmException. */
    private static final class HungBoot extends VmException {
        private static final long serialVersionUID = 1L;
        private final String reason;
        private final double seconds;
        private final String excerpt;

        HungBoot(String reason, double seconds, String excerpt) {
            super("boot hung: " + reason + "; console tail:\n" + excerpt, excerpt);
            this.reason = reason;
            this.seconds = seconds;
            this.excerpt = excerpt;
        }
    }

    private void joinPumps() {
        for (Thread t : pumps) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Whether QEMU (through its launcher) is still running. */
    public boolean isRunning() {
        return guard.isAlive();
    }

    /** Kills the VM if it still runs and waits until it is gone. Idempotent. */
    @Override
    public void close() {
        try {
            if (guard.isAlive()) {
                // EOF on the guard's stdin makes it kill the launcher's whole process group.
                closeQuietly(guard.getOutputStream());
                if (!guard.waitFor(10, TimeUnit.SECONDS)) {
                    guard.descendants().forEach(ProcessHandle::destroyForcibly);
                    guard.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            guard.descendants().forEach(ProcessHandle::destroyForcibly);
            guard.destroyForcibly();
        } finally {
            joinPumps();
            closeQuietly(console);
            LiveVms.unregister(this);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Nothing left to do with a stream that will not close.
        }
    }
}
