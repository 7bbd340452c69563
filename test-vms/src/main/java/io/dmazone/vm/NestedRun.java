package io.dmazone.vm;

import io.dmazone.Sizes;
import io.dmazone.zone.VIommu;
import io.dmazone.zone.ZoneSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link NestedSpec}: builds L2's boot files on this machine, boots L1
 * with the devices, and lets l1-nested.sh inside L1 bind them to vfio-pci, run
 * L2 and sample its QEMU's pinned memory into a directory shared with L1.
 */
public final class NestedRun {
    /**
     * L2's kernel command line. Under TCG inside TCG every initcall costs; a boot with
     * initcall_debug showed ~1000 of them summing to 72 s, none dominant, so these
     * only trim the pure costs: crypto self-tests, the read-only/W+X pass, and
     * initcalls a busybox guest with a serial console and PCI NICs does not use
     * (entropy, OPAL, CEC, key rings, RTC, keyboard, input, USB, sound, DRM, thermal,
     * MCE, microcode, pstore, TPM, watchdogs). One side-by-side pair: the second list took
     * L2 from 58 s to 51 s of uptime at its command; single runs vary by about 10 s. The
     * console is not quiet: its lines are the progress l1-nested.sh's boot watchdog needs. The
     * early console prints them from the kernel's first message on, rather than from the serial
     * driver's start, so an L2 that is merely slow to get there is not taken for a silent one.
     */
    private static final String L2_BASE_ARGS = "console=ttyS0 earlycon=uart8250,io,0x3f8 panic=-1 loglevel=6"
            + " cryptomgr.notests"
            + " rodata=off mitigations=off initcall_blacklist=jent_mod_init,sed_opal_init,cec_init,"
            + "crypto_kdf108_init,init_encrypted,load_system_certificate_list"
            + " initcall_blacklist=cmos_init,i8042_init,msr_init,depot_debugfs_init,trace_eval_init,hwrng_modinit,"
            + "cpuid_init,mce_init_device,intel_epb_init,pstore_init,efivars_pstore_init,microcode_init,init_sg,"
            + "ledtrig_disk_init,thermal_init,acpi_thermal_init,sound_init,alsa_sound_init,ptp_kvm_init,"
            + "drm_core_init,usb_common_init,usb_init,input_init,serio_init,hid_init,dmi_sysfs_init,tpm_init,"
            + "watchdog_init";
    /** Time L1's command needs around the L2 runs: binding, image checks, shutdown. */
    static final Duration L1_OVERHEAD = Duration.ofMinutes(3);
    /** How long L1's companion may go on after L2 has exited (it may kill L2 and start another QEMU). */
    private static final Duration COMPANION_GRACE = Duration.ofMinutes(3);
    /**
     * How long L1's command may leave the share unwritten before it counts as stalled: longer
     * than L2's own boot silence (l1-nested.sh retries a quiet L2 itself after it).
     */
    static final Duration L1_HEARTBEAT_SILENCE = Duration.ofSeconds(180);
    /** L1 runs tried in all when L1 stalls after its command started. */
    private static final int L1_RUN_ATTEMPTS = 3;
    /** Where L1 sees the run's share directory. */
    static final String L1_SHARE = "/tmp/dmazone-share";

    private NestedRun() {
    }

    /**
     * Runs the spec to the end.
     *
     * @throws VmTimeoutException when L1 or L2 ran out of time (with that VM's console tail)
     * @throws VmException        when L1 could not set up or run L2
     */
    public static NestedResult run(NestedSpec spec) {
        return run(spec, null);
    }

    /**
     * {@link #run(NestedSpec)}, reporting each phase (L1 boot, each L2 boot, L2's command) to
     * {@code progress} as it starts, and how long it has gone on while it does; null for none.
     * The run closes {@code progress} at its end.
     */
    public static NestedResult run(NestedSpec spec, Progress progress) {
        long started = System.nanoTime();
        Path runDir = Project.newRunDirectory(spec.name());
        Path bin = runDir.resolve("bin");
        Path share = runDir.resolve("share");
        Path l2 = runDir.resolve("l2");
        prepareLane(spec, bin, share, l2, L1_SHARE, passthroughIds(spec, -1));

        VmSpec.Builder l1 = VmSpec.builder(spec.name() + "-l1")
                .memoryMiB(spec.l1MemoryMiB())
                .cpus(2)
                .viommu(VIommu.INTEL_IOMMU)
                .sharedDir(share, L1_SHARE)
                .command(installL1Scripts(bin) + " " + L1_SHARE)
                // Each phase inside L1 has its own limit; L1's command gets their sum.
                .timeout(laneTimeout(spec).plus(L1_OVERHEAD))
                // L1 samples L2's QEMU every sampleSeconds into the share, and L2's console and the
                // companion's log land there too: a share left unwritten means L1 itself stopped.
                .heartbeat(share, L1_HEARTBEAT_SILENCE);
        spec.passthrough().forEach(d -> {
            l1.device(d);
            d.handOnKernelArgs().forEach(l1::kernelArg);
        });
        l1.qemuArg(spec.l1QemuArgs().toArray(String[]::new));
        List<BootRetry> l1Stalls = new ArrayList<>();
        VmResult l1Result;
        try (NestedProgress following = progress == null ? null
                : NestedProgress.follow(share.resolve("events.log"), spec, progress)) {
            l1Result = runL1(spec.name(), l1.build(), runDir, l1Stalls, () -> prepareLane(spec, bin, share, l2, L1_SHARE,
                    passthroughIds(spec, -1)));
        }
        if (l1Result.exitStatus() != 0) {
            throw new VmException("L1 of " + spec.name() + " failed to run L2 (exit " + l1Result.exitStatus() + "): "
                    + String.join("; ", readEvents(share.resolve("events.log")).getOrDefault("error", List.of()))
                    + "; L1 console: " + l1Result.consoleLog(), tail(readIfExists(l1Result.consoleLog())));
        }
        NestedResult result = resultOf(spec, l1Result, runDir, share, started, l1Stalls);
        Reports.write(runDir.resolve("nested-result.json"), result);
        return result;
    }

    /**
     * What one L2 of a finished L1 run did, read from its share directory {@code share} (the
     * run's share, or one lane's directory in it).
     *
     * @throws BootHangException   when every boot of L2 hung
     * @throws VmTimeoutException  when L2's command ran out of time
     * @throws VmException         when L1 could not set up or run this L2
     */
    static NestedResult resultOf(NestedSpec spec, VmResult l1Result, Path runDir, Path share, long startedNanos,
            List<BootRetry> l1Stalls) {
        Map<String, List<String>> events = readEvents(share.resolve("events.log"));
        Path l2Console = share.resolve("l2-console.log");
        String l2Log = readIfExists(l2Console);
        if (events.containsKey("error")) {
            throw new VmException("L1 of " + spec.name() + " failed to run L2: "
                    + String.join("; ", events.get("error")) + "; L1 console: " + l1Result.consoleLog(),
                    tail(readIfExists(l1Result.consoleLog())));
        }
        List<BootRetry> l2Retries = l2BootRetries(events, share);
        l2Retries.forEach(r -> System.err.println("dmazone: L2 of " + spec.name() + " hung while booting (attempt "
                + r.attempt() + ": " + r.reason() + "); booted it again"));
        if (events.containsKey("l2-gave-up")) {
            throw new BootHangException(spec.name() + "-l2", l2Retries);
        }
        if (events.containsKey("l2-timeout")) {
            throw new VmTimeoutException(spec.name() + "-l2", spec.l2Timeout(), tail(l2Log));
        }
        List<PinnedSample> samples = readSamples(share.resolve("samples.tsv"));
        long l2Start = eventMillis(events, "l2-started");
        List<String> starts = events.get("l2-started");
        String memlock = memlockLimit(starts.get(starts.size() - 1));

        RunEnvironment env = new RunEnvironment(
                RunEnvironment.commandOutput("uname", "-r"),
                l1Result.guestKernel(),
                Kernels.selected(),
                RunEnvironment.commandOutput("qemu-system-x86_64", "--version"),
                l1Result.accel(), Accel.TCG, spec.l2Viommu().label(),
                spec.l1MemoryMiB(), spec.l2MemoryMiB(), memlock);
        return new NestedResult(
                spec.name(), env, spec.passthrough(),
                l2ExitStatus(l2Log), l2CommandOutput(l2Log), l2Console,
                readIfExists(share.resolve("l1-companion.log")),
                l1Result.bootSeconds(),
                events.containsKey("l2-command-started")
                        ? (eventMillis(events, "l2-command-started") - l2Start) / 1000.0 : Double.NaN,
                l2Uptime(l2Log),
                (eventMillis(events, "l2-exited") - l2Start) / 1000.0,
                (System.nanoTime() - startedNanos) / 1e9,
                samples,
                NestedResult.peakOf(samples).orElse(null),
                NestedResult.steadyOf(samples).orElse(null),
                runDir, share, concat(l1Result.bootRetries(), l1Stalls), l2Retries);
    }

    /** How long l1-nested.sh may take for this spec: every L2 boot attempt, L2's command, the companion's grace. */
    static Duration laneTimeout(NestedSpec spec) {
        return spec.l2BootTimeout().multipliedBy(spec.l2BootAttempts()).plus(spec.l2Timeout()).plus(COMPANION_GRACE);
    }

    /**
     * The PASSTHROUGH of l1-nested.sh: each device's vendor:device id, and with {@code index} ≥ 0
     * the one at that index among L1's devices with the id (a side-by-side lane's own NIC).
     */
    static String passthroughIds(NestedSpec spec, int index) {
        return String.join(" ", spec.passthrough().stream()
                .map(d -> index < 0 ? d.pciId() : d.pciId() + "/" + index).toList());
    }

    /**
     * Keeps a stalled L1 attempt's console and share beside the run ({@code l1/console-stalled-attemptN.log},
     * {@code share-stalled-attemptN/}), so the next attempt starts clean.
     */
    private static BootRetry keepStalledAttempt(Path runDir, int attempt, GuestStalledException e) {
        Path console = runDir.resolve("l1/console.log");
        Path keptConsole = runDir.resolve("l1/console-stalled-attempt" + attempt + ".log");
        try {
            if (Files.exists(console)) {
                Files.move(console, keptConsole, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(runDir.resolve("share"), runDir.resolve("share-stalled-attempt" + attempt));
        } catch (IOException io) {
            throw new UncheckedIOException("cannot keep the stalled attempt " + attempt + " of " + runDir, io);
        }
        return new BootRetry(attempt, "L1 stalled after its command started: " + e.reason(), e.seconds(),
                keptConsole.toString(), e.consoleTail());
    }

    private static List<BootRetry> concat(List<BootRetry> a, List<BootRetry> b) {
        List<BootRetry> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /** Installs l1-nested.sh and the helpers it sources; returns l1-nested.sh. */
    static Path installL1Scripts(Path bin) {
        Project.installScript("l1-lib.sh", bin);
        return Project.installScript("l1-nested.sh", bin);
    }

    /** "l2-boot-hung attempt N reason TEXT" events, with the files l1-nested.sh kept of each attempt. */
    private static List<BootRetry> l2BootRetries(Map<String, List<String>> events, Path share) {
        List<BootRetry> retries = new ArrayList<>();
        List<String> starts = events.getOrDefault("l2-started", List.of());
        for (String line : events.getOrDefault("l2-boot-hung", List.of())) {
            String[] f = line.split("\\s+", 6);
            int attempt = Integer.parseInt(f[3]);
            long hungAt = Long.parseLong(f[0]);
            double seconds = attempt <= starts.size()
                    ? (hungAt - Long.parseLong(starts.get(attempt - 1).split("\\s+")[0])) / 1000.0 : Double.NaN;
            Path console = share.resolve("l2-console-attempt" + attempt + ".log");
            // a boot silent from its start may have said why on QEMU's stderr instead
            String stderr = tail(readIfExists(share.resolve("l2-qemu-attempt" + attempt + ".stderr")));
            retries.add(new BootRetry(attempt, f.length > 5 ? f[5] : "unknown", seconds, console.toString(),
                    tail(readIfExists(console)) + (stderr.isBlank() ? "" : "\n(L2 QEMU's stderr:)\n" + stderr)));
        }
        return retries;
    }

    private static void buildL2Image(NestedSpec spec, Path bin, Path l2) {
        Path command = l2.resolve("command.sh");
        try {
            Files.writeString(command, "#!/bin/sh\n" + spec.l2Command() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + command, e);
        }
        Project.installScript("l2-init.sh", bin);
        List<String> cmd = new ArrayList<>(List.of(
                Project.installScript("l2-image.sh", bin).toString(),
                Kernels.selected().vmlinux().toString(),
                Kernels.selected().moduleDirectory().toString(),
                l2.toString(),
                command.toString()));
        cmd.addAll(spec.l2Modules());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("L2_BINARIES", String.join(" ", spec.l2Binaries()));
        pb.environment().put("L2_COMMAND_MODULES", String.join(" ", spec.l2CommandModules()));
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new VmException("building L2's image for " + spec.name() + " failed: " + out.trim(), out);
            }
        } catch (IOException e) {
            throw new VmException("cannot run l2-image.sh: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while building L2's image", e);
        }
    }

    /**
     * Runs L1, again after a stall (the stall recorded in {@code stalls}, then {@code prepareAgain}
     * run for a clean share), at most {@link #L1_RUN_ATTEMPTS} times.
     */
    static VmResult runL1(String name, VmSpec l1, Path runDir, List<BootRetry> stalls, Runnable prepareAgain) {
        for (int attempt = 1; ; attempt++) {
            try {
                return Vm.run(l1, runDir.resolve("l1"));
            } catch (GuestStalledException e) {
                stalls.add(keepStalledAttempt(runDir, attempt, e));
                if (attempt >= L1_RUN_ATTEMPTS) {
                    throw e;
                }
                System.err.println("dmazone: L1 of " + name + " stalled after its command started ("
                        + e.reason() + "); running it again, attempt " + (attempt + 1) + " of " + L1_RUN_ATTEMPTS);
                prepareAgain.run();
            }
        }
    }

    /**
     * Builds L2's boot files into {@code l2} and creates {@code share} with what l1-nested.sh reads
     * from it: nested.env and the companion, if any. {@code l1Share} is where L1 sees {@code share}.
     */
    static void prepareLane(NestedSpec spec, Path bin, Path share, Path l2, String l1Share, String passthrough) {
        try {
            Files.createDirectories(l2);
            Files.createDirectories(share);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + share + " and " + l2, e);
        }
        if (!Files.exists(l2.resolve("initramfs.cpio"))) {
            buildL2Image(spec, bin, l2);
        }
        writeEnv(spec, share.resolve("nested.env"), l2, writeCompanion(spec, share), l1Share, passthrough);
    }

    /** The companion goes into the share, where L1 reads it; null when the spec has none. */
    private static Path writeCompanion(NestedSpec spec, Path share) {
        if (spec.l1Companion().isBlank()) {
            return null;
        }
        Path file = share.resolve("l1-companion.sh");
        try {
            Files.writeString(file, "#!/bin/bash\n" + spec.l1Companion() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static void writeEnv(NestedSpec spec, Path file, Path l2, Path companion, String l1Share,
            String passthrough) {
        List<String> append = new ArrayList<>(List.of(L2_BASE_ARGS));
        if (spec.l2Zone() == null) {
            append.addAll(spec.l2Viommu().kernelParams());
        }
        append.addAll(spec.l2KernelArgs());
        if (spec.l2InsnCounter() != null && spec.l2InsnCounter().randomBase()) {
            // the counter's ranges are the symbol table's addresses
            append.add("nokaslr");
        }
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("PASSTHROUGH", passthrough);
        env.put("GUEST_CP", Project.guestClasspath());
        env.put("L2_KERNEL", l2.resolve("vmlinux").toString());
        env.put("L2_INITRD", l2.resolve("initramfs.cpio").toString());
        env.put("L2_MEMORY_MIB", Integer.toString(spec.l2MemoryMiB()));
        env.put("L2_APPEND", String.join(" ", append));
        // With a zone L1 plans L2 (PassthroughDevices --plan): the vIOMMU's arguments come from the plan.
        env.put("L2_DEVICE_OPTS", spec.l2Zone() == null ? String.join(" ", spec.l2Viommu().qemuArgs()) : "");
        env.put("L2_ZONE", spec.l2Zone() == null ? "" : zoneText(spec.l2Zone()));
        env.put("L2_VIOMMU", spec.l2Viommu().cliName());
        env.put("L2_HOT_ADD", spec.l2HotAdd() ? "1" : "");
        // qboot: SeaBIOS stalls when its DMA is blocked (boot-bypass=off) and is slower in any case.
        // But qboot sets up no MMCONFIG, so L2 cannot read a root port's ACS capability (extended
        // config space) and groups a hot-added device with its port, which dmazone cannot attach:
        // a hot-adding L2 boots SeaBIOS.
        env.put("L2_BIOS", spec.l2HotAdd() ? "" : "/usr/share/qemu/qboot.rom");
        env.put("L2_TIMEOUT_S", Long.toString(spec.l2Timeout().toSeconds()));
        env.put("L2_BOOT_TIMEOUT_S", Long.toString(spec.l2BootTimeout().toSeconds()));
        env.put("L2_BOOT_SILENCE_S", Long.toString(spec.l2BootSilence().toSeconds()));
        env.put("L2_FIRST_OUTPUT_S", Long.toString(spec.l2FirstOutput().toSeconds()));
        env.put("L2_BOOT_ATTEMPTS", Integer.toString(spec.l2BootAttempts()));
        env.put("L2_STALLED_BOOTS", Integer.toString(spec.l2StalledBoots()));
        env.put("SAMPLE_SECONDS", Double.toString(spec.sampleSeconds()));
        env.put("DMA_ENTRY_LIMIT", Integer.toString(spec.dmaEntryLimit()));
        env.put("L2_NO_IPC_LOCK", spec.l2QemuWithoutIpcLock() ? "1" : "");
        env.put("L2_MEMLOCK_BUDGET", spec.l2MemlockBudgetBytes() > 0 ? Long.toString(spec.l2MemlockBudgetBytes()) : "");
        env.put("COMPANION_GRACE_S", Long.toString(COMPANION_GRACE.toSeconds()));
        env.put("L1_COMPANION", companion == null ? "" : l1Share + "/" + companion.getFileName());
        env.put("L2_INSN_PLUGIN", spec.l2InsnCounter() == null ? "" : spec.l2InsnCounter().pluginArgument(spec.l2MemoryMiB()));
        StringBuilder sb = new StringBuilder();
        env.forEach((k, v) -> sb.append(k).append("='").append(v.replace("'", "'\\''")).append("'\n"));
        try {
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The zone as {@link ZoneSpec#parse} reads it: SIZE, or SIZE@BASE for a reserved window. */
    static String zoneText(ZoneSpec zone) {
        return Sizes.hex(zone.size()) + (zone.isPageBuilt() ? "" : "@" + Sizes.hex(zone.guestPhysBase()));
    }

    /** events.log lines are "EPOCH_MS EVENT WORDS..."; keyed by event, valued by the whole lines. */
    static Map<String, List<String>> readEvents(Path file) {
        Map<String, List<String>> events = new HashMap<>();
        for (String line : readIfExists(file).split("\n")) {
            String[] f = line.trim().split("\\s+", 3);
            if (f.length >= 2) {
                events.computeIfAbsent(f[1], k -> new ArrayList<>()).add(line.trim());
            }
        }
        return events;
    }

    private static long eventMillis(Map<String, List<String>> events, String event) {
        List<String> lines = events.get(event);
        if (lines == null) {
            throw new VmException("L1 recorded no '" + event + "' event; see events.log", "");
        }
        // The last: after a hung L2 boot, "l2-started" is recorded once per attempt.
        return Long.parseLong(lines.get(lines.size() - 1).split("\\s+")[0]);
    }

    private static List<PinnedSample> readSamples(Path file) {
        List<PinnedSample> samples = new ArrayList<>();
        for (String line : readIfExists(file).split("\n")) {
            String[] f = line.trim().split("\t");
            if (f.length == 4 && f[0].matches("\\d+")) {
                samples.add(new PinnedSample(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]));
            }
        }
        return samples;
    }

    /** The "l2-started" event ends with "memlock-limit SOFT HARD" (bytes, or "unlimited"). */
    private static String memlockLimit(String startedEvent) {
        List<String> words = List.of(startedEvent.split("\\s+"));
        int at = words.indexOf("memlock-limit");
        return at >= 0 && at + 2 < words.size()
                ? "soft " + words.get(at + 1) + " hard " + words.get(at + 2) + " (bytes; QEMU runs as root, CAP_IPC_LOCK)"
                : "unknown";
    }

    private static int l2ExitStatus(String l2Log) {
        return l2Log.lines().filter(l -> l.startsWith("L2-EXIT ")).map(l -> l.substring(8).trim())
                .filter(s -> s.matches("\\d+")).map(Integer::parseInt).findFirst().orElse(-1);
    }

    private static double l2Uptime(String l2Log) {
        return l2Log.lines().filter(l -> l.startsWith("L2-CMD-START uptime "))
                .map(l -> Double.parseDouble(l.substring("L2-CMD-START uptime ".length()).trim()))
                .findFirst().orElse(Double.NaN);
    }

    private static String l2CommandOutput(String l2Log) {
        int start = l2Log.indexOf("L2-CMD-START");
        if (start < 0) {
            return "";
        }
        int from = l2Log.indexOf('\n', start) + 1;
        int end = l2Log.indexOf("L2-EXIT", from);
        return l2Log.substring(from, end < 0 ? l2Log.length() : end);
    }

    static String readIfExists(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
