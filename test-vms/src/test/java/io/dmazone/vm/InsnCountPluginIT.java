package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * dmazone_insn, the instruction-counting TCG plugin (test-vms/qemu-plugin): the test
 * kernel's bzImage booted straight under QEMU with no initrd, so it panics when it
 * finds no root and QEMU exits (-no-reboot, panic=-1). Nothing but firmware and the
 * kernel runs: a boot of about 2 s, 430 million instructions.
 */
@Tag("vm")
class InsnCountPluginIT {
    /** Each boot's hard limit; the longest (rootdelay=4) takes about 6 s alone. */
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String BASE_APPEND = "console=ttyS0 panic=-1";

    @Test
    void snapshotsWhileTheKernelRunsShowItsCountGrowing() throws Exception {
        // rootdelay holds the kernel 4 s before it looks for root; idle=poll keeps it
        // executing meanwhile: 41 to 56 million instructions between the snapshots,
        // against 140 thousand (timer ticks) when it idles with NO_HZ.
        try (Boot boot = Boot.start("insn-snapshots", BASE_APPEND + " rootdelay=4 idle=poll")) {
            boot.awaitConsole("Waiting 4 sec before mounting root device");
            Map<String, Long> first = boot.snapshot(1);
            Thread.sleep(1000);
            Map<String, Long> second = boot.snapshot(2);
            Map<String, Long> exit = boot.awaitExit();

            assertThat(boot.exitStatus()).as("QEMU's exit status; stderr: %s", boot.stderr()).isZero();
            assertThat(first.get("kernel")).as("kernel instructions at snapshot 1").isPositive();
            assertThat(second.get("kernel")).as("kernel instructions 1 s later").isGreaterThan(first.get("kernel"));
            assertThat(exit.get("kernel")).as("kernel instructions at exit").isGreaterThanOrEqualTo(second.get("kernel"));
        }
    }

    @Test
    void kernelOnlyBootCountsNoUserInstructions() throws Exception {
        try (Boot boot = Boot.start("insn-kernel-only", BASE_APPEND)) {
            Map<String, Long> exit = boot.awaitExit();

            assertThat(boot.exitStatus()).as("QEMU's exit status; stderr: %s", boot.stderr()).isZero();
            // An initrd whose /init runs one busybox command counts about 96 thousand.
            assertThat(exit.get("user")).as("user instructions; exit line %s", exit).isZero();
            assertThat(exit.get("kernel")).as("kernel instructions").isPositive();
            assertThat(exit.get("boot")).as("firmware and decompressor instructions").isPositive();
            assertThat(boot.console()).as("the kernel panicked for want of a root, before any init")
                    .contains("VFS: Unable to mount root fs");
        }
    }

    @Test
    void rangeOverTheKernelsTextCountsThere() throws Exception {
        long[] text = kernelText();
        String range = String.format("range=text:0x%x-0x%x", text[0], text[1]);
        try (Boot boot = Boot.start("insn-range", BASE_APPEND + " nokaslr", range)) {
            Map<String, Long> exit = boot.awaitExit();

            assertThat(boot.exitStatus()).as("QEMU's exit status; stderr: %s", boot.stderr()).isZero();
            assertThat(exit).as("exit line with %s", range).containsKey("text")
                    .as("no mmio= given").doesNotContainKeys("mmio_read", "mmio_write");
            assertThat(exit.get("text")).as("instructions in .text").isPositive();
            // The kernel's other code (.init.text, entry, ...) runs far less during a boot:
            // 192 against 18 million on the lean kernel.
            assertThat(exit.get("text")).as("instructions in .text against the rest of the kernel's")
                    .isGreaterThan(exit.get("kernel"));
        }
    }

    /**
     * mmio= counts the loads and stores of the watched code whose guest-physical address is in
     * the window. With the HPET as its clocksource the kernel's text reads the HPET's registers
     * (0xfed00000) hundreds of times in a boot and writes them when it starts the counter: 619
     * reads and 12 writes on the lean kernel. The same boot counts none with the window one page
     * where nothing is mapped, or with only the module area's code watched (no module loads).
     */
    @Test
    void mmioCountsTheWatchedCodesAccessesInTheWindowOnly() throws Exception {
        long[] text = kernelText();
        String textRange = String.format("range=text:0x%x-0x%x", text[0], text[1]);
        String modulesRange = "range=modules:0xffffffffa0000000-0xffffffffff000000";
        String append = BASE_APPEND + " nokaslr clocksource=hpet";

        Map<String, Long> hpet = mmioBoot("insn-mmio-hpet", append, textRange, "mmio=0xfed00000-0xfed00400",
                "mmio-code=text");
        assertThat(hpet.get("mmio_read")).as("HPET reads by the kernel's text; exit line %s", hpet).isPositive();
        assertThat(hpet.get("mmio_write")).as("HPET writes by the kernel's text").isPositive();

        Map<String, Long> elsewhere = mmioBoot("insn-mmio-elsewhere", append, textRange,
                "mmio=0xfe000000-0xfe001000", "mmio-code=text");
        assertThat(elsewhere).as("a window where nothing is mapped")
                .containsEntry("mmio_read", 0L).containsEntry("mmio_write", 0L);

        Map<String, Long> modules = mmioBoot("insn-mmio-modules", append, textRange, modulesRange,
                "mmio=0xfed00000-0xfed00400", "mmio-code=modules");
        assertThat(modules).as("the HPET's window with the module area's code watched")
                .containsEntry("mmio_read", 0L).containsEntry("mmio_write", 0L);
    }

    private static Map<String, Long> mmioBoot(String name, String append, String... pluginArgs) throws Exception {
        try (Boot boot = Boot.start(name, append, pluginArgs)) {
            Map<String, Long> exit = boot.awaitExit();
            assertThat(boot.exitStatus()).as("QEMU's exit status; stderr: %s", boot.stderr()).isZero();
            assertThat(exit).as("exit line of %s", String.join(",", pluginArgs)).containsKeys("mmio_read", "mmio_write");
            return exit;
        }
    }

    @Test
    void mmioCodeWithoutAWindowStopsQemuWithThePluginsMessage() throws Exception {
        try (Boot boot = Boot.start("insn-mmio-no-window", BASE_APPEND, "range=text:0x1-0x2", "mmio-code=text")) {
            boot.awaitProcessExit();

            assertThat(boot.exitStatus()).as("QEMU's exit status").isNotZero();
            assertThat(boot.stderr()).contains("dmazone_insn: mmio-code=text: give the window too (mmio=LO-HI)");
        }
    }

    @Test
    void badRangeArgumentStopsQemuWithThePluginsMessage() throws Exception {
        try (Boot boot = Boot.start("insn-bad-arg", BASE_APPEND, "range=bogus")) {
            boot.awaitProcessExit();

            assertThat(boot.exitStatus()).as("QEMU's exit status").isNotZero();
            assertThat(boot.stderr())
                    .contains("dmazone_insn: range=bogus: expected NAME:LO-HI")
                    .contains("Could not load plugin");
            assertThat(boot.console()).as("no guest ran").doesNotContain("Linux version");
        }
    }

    /**
     * [_stext, _etext) from the kernel's System.map (the build's, else /boot's for the
     * Debian kernel); the tests boot with nokaslr, so these are the addresses it runs at.
     */
    private static long[] kernelText() throws IOException {
        KernelBuild k = Kernels.selected();
        List<Path> maps = List.of(k.directory().resolve("build/System.map"), Path.of("/boot/System.map-" + k.release()));
        for (Path map : maps) {
            if (!Files.isReadable(map)) {
                continue;
            }
            Long start = null;
            Long end = null;
            for (String line : Files.readAllLines(map)) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3 && f[2].equals("_stext")) {
                    start = Long.parseUnsignedLong(f[0], 16);
                } else if (f.length == 3 && f[2].equals("_etext")) {
                    end = Long.parseUnsignedLong(f[0], 16);
                }
            }
            if (start != null && end != null && Long.compareUnsigned(start, end) < 0) {
                return new long[] {start, end};
            }
            fail(map + " has no _stext and _etext");
        }
        return fail("no System.map for kernel " + k.release() + " (looked at " + maps + ")");
    }

    /** One QEMU run under vm-guard.sh, killed at the deadline or on close. */
    private static final class Boot implements AutoCloseable {
        private final Path dir;
        private final Process guard;
        private final long deadlineNanos = System.nanoTime() + DEADLINE.toNanos();

        private Boot(Path dir, Process guard) {
            this.dir = dir;
            this.guard = guard;
        }

        static Boot start(String name, String append, String... pluginArgs) throws IOException {
            Path dir = Project.newRunDirectory(name);
            StringBuilder plugin = new StringBuilder(qemuOpt(QemuPlugins.insnCounter().toString()));
            plugin.append(",ctl=").append(qemuOpt(dir.resolve("ctl").toString()));
            plugin.append(",out=").append(qemuOpt(dir.resolve("out").toString()));
            for (String a : pluginArgs) {
                plugin.append(',').append(qemuOpt(a));
            }
            List<String> command = new ArrayList<>(List.of(
                    Project.installScript("vm-guard.sh", dir.resolve("bin")).toString(),
                    "qemu-system-x86_64", "-accel", "tcg", "-m", "256M", "-nodefaults", "-display", "none",
                    "-no-reboot", "-serial", "file:" + dir.resolve("console.log"),
                    "-kernel", Kernels.testKernel().toString(), "-append", append,
                    "-plugin", plugin.toString()));
            Files.writeString(dir.resolve("command.txt"), String.join(" ", command) + "\n");
            Process guard = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(dir.resolve("qemu.out").toFile())
                    .redirectError(dir.resolve("qemu.err").toFile())
                    .start();
            return new Boot(dir, guard);
        }

        /** QemuOpts reads a doubled comma as a comma. */
        private static String qemuOpt(String s) {
            return s.replace(",", ",,");
        }

        private long remainingMillis() {
            return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
        }

        String console() throws IOException {
            Path p = dir.resolve("console.log");
            return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
        }

        String stderr() throws IOException {
            return Files.readString(dir.resolve("qemu.err"), StandardCharsets.UTF_8);
        }

        int exitStatus() {
            return guard.exitValue();
        }

        void awaitConsole(String text) throws Exception {
            while (!console().contains(text)) {
                if (!guard.isAlive() || remainingMillis() == 0) {
                    fail("no '" + text + "' on the console of " + dir + " (QEMU "
                            + (guard.isAlive() ? "still running" : "exited " + guard.exitValue()) + ")");
                }
                Thread.sleep(50);
            }
        }

        /** Asks for snapshot {@code seq} through the FIFO and waits for its line. */
        Map<String, Long> snapshot(int seq) throws Exception {
            Path ctl = dir.resolve("ctl");
            PosixFileAttributes a = Files.readAttributes(ctl, PosixFileAttributes.class);
            assertThat(a.isOther()).as("%s is a FIFO", ctl).isTrue();
            // "rw" opens O_RDWR, which does not wait for the plugin's end to be open.
            try (RandomAccessFile f = new RandomAccessFile(ctl.toFile(), "rw")) {
                f.write('\n');
            }
            while (true) {
                Optional<Map<String, Long>> line = Optional.ofNullable(lines().get(Integer.toString(seq)));
                if (line.isPresent()) {
                    return line.get();
                }
                if (remainingMillis() == 0 || !guard.isAlive()) {
                    fail("no snapshot " + seq + " in " + dir.resolve("out") + ": " + lines());
                }
                Thread.sleep(20);
            }
        }

        void awaitProcessExit() throws Exception {
            if (!guard.waitFor(remainingMillis(), TimeUnit.MILLISECONDS)) {
                close();
                fail("QEMU did not exit within " + DEADLINE.toSeconds() + " s; killed. Console: " + dir);
            }
        }

        /** Waits for QEMU to exit and returns the plugin's exit line. */
        Map<String, Long> awaitExit() throws Exception {
            awaitProcessExit();
            Map<String, Long> exit = lines().get("exit");
            assertThat(exit).as("the plugin's exit line in %s; stderr: %s", dir.resolve("out"), stderr()).isNotNull();
            return exit;
        }

        /** The out file's lines by their first word (a sequence number, or exit). */
        Map<String, Map<String, Long>> lines() throws IOException {
            Map<String, Map<String, Long>> byTag = new LinkedHashMap<>();
            Path out = dir.resolve("out");
            if (!Files.exists(out)) {
                return byTag;
            }
            for (String line : Files.readAllLines(out)) {
                String[] words = line.split(" ");
                Map<String, Long> values = new LinkedHashMap<>();
                for (int i = 1; i < words.length; i++) {
                    int eq = words[i].indexOf('=');
                    values.put(words[i].substring(0, eq), Long.parseUnsignedLong(words[i].substring(eq + 1)));
                }
                byTag.put(words[0], values);
            }
            return byTag;
        }

        /** Closing the guard's stdin kills QEMU's process group; then the guard goes too. */
        @Override
        public void close() {
            try (OutputStream in = guard.getOutputStream()) {
                in.flush();
            } catch (IOException e) {
                // the guard has exited already
            }
            try {
                if (!guard.waitFor(10, TimeUnit.SECONDS)) {
                    guard.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                guard.destroyForcibly();
            }
        }
    }
}
