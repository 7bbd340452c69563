package io.dmazone.vm;

import io.dmazone.Sizes;
import io.dmazone.zone.VIommu;
import io.dmazone.zone.ZonePlanner;
import io.dmazone.zone.ZoneSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A nested run: an L1 VM that plays the VFIO host (q35, intel-iommu, the devices
 * to pass through) and, inside it, an L2 guest under TCG that gets those devices
 * through vfio-pci and runs a command.
 *
 * @param name              short name for logs and the run directory
 * @param l1MemoryMiB       L1 RAM (at most 2 GiB here)
 * @param l2MemoryMiB       L2 RAM (at most 1 GiB here)
 * @param l2Viommu          the vIOMMU L2 gets, or {@link VIommu#NONE}
 * @param l2Zone            L2's DMA zone, or null for none; with one, L1 plans L2 with
 *                          {@link ZonePlanner} for the devices it bound, and L2's QEMU arguments
 *                          (machine, memory, vIOMMU, vfio-pci devices) and kernel command line
 *                          (the zone's dmazone and memmap parameters, the vIOMMU's) are the plan's:
 *                          every such boot proves a plan. L2 loads dmazone.ko with the plan's
 *                          {@code dmazone.*} parameters, and L1's companion gets the plan's
 *                          RLIMIT_MEMLOCK as PLAN_MEMLOCK_BYTES
 * @param l2HotAdd          with a zone: the plan adds the devices once L2's IOMMU is on
 *                          ({@link ZonePlanner#hotAdd()}); L2's QEMU starts with a QMP socket (the
 *                          companion's L2_QMP) and without them, and L1's companion adds them
 * @param passthrough       L1 devices handed to L2 through vfio-pci
 * @param l2Modules         modules L2 loads before its command, in order: paths under
 *                          /lib/modules/RELEASE, or absolute paths of out-of-tree .ko files,
 *                          each optionally followed by its parameters ({@code "/x/dmazone.ko size=64M"})
 * @param l2CommandModules  modules put in L2's /lib/modules (named as in l2Modules, without
 *                          parameters) and not loaded at boot: L2's command loads them itself
 * @param l2Binaries        programs copied into L2's image with their shared libraries
 * @param l2KernelArgs      L2 kernel command line additions
 * @param l2Command         shell script body L2 runs as root (busybox sh); its status is L2's verdict
 * @param l1Companion       bash script body L1 runs beside L2 from L2 QEMU's start (see l1-nested.sh
 *                          for its environment), or empty for none; what it prints is kept
 * @param l2QemuWithoutIpcLock  start L2's QEMU without CAP_IPC_LOCK, so RLIMIT_MEMLOCK binds
 *                          what VFIO pins for it (root's QEMU ignores the limit otherwise)
 * @param l2MemlockBudgetBytes  0, or the RLIMIT_MEMLOCK L2's QEMU starts under (and without
 *                          CAP_IPC_LOCK): a host operator's pin budget, in force from QEMU's
 *                          first pin; refused when L2's vIOMMU pins more than it at startup
 * @param l2Timeout         hard limit for L2's command, from its start
 * @param l2BootTimeout     hard limit for one L2 boot, from L2 QEMU's start to its command
 * @param l2BootSilence     an L2 boot that prints nothing on its console this long has hung
 * @param l2FirstOutput     an L2 boot whose console is still empty this long after its QEMU
 *                          started has hung (its CPUs or its firmware never got going): L2's
 *                          kernel prints from its first message on, seconds into the boot, while
 *                          a sound boot may then fall silent for minutes
 * @param l2BootAttempts    L2 boots tried in all when they hang
 * @param l2StalledBoots    the first this many L2 boots start with stopped CPUs (QEMU -S),
 *                          to test the watchdog; 0 otherwise
 * @param sampleSeconds     how often L1 samples L2 QEMU's VmLck/VmPin
 * @param dmaEntryLimit     vfio_iommu_type1 dma_entry_limit in L1
 * @param l1QemuArgs        further arguments of L1's QEMU (the outer one), such as
 *                          {@code -icount shift=auto,sleep=off} for a device whose timers
 *                          should pass while L1 idles; only a run of its own (NestedRun) takes them
 * @param l2InsnCounter     the instruction counter L2's QEMU loads, or null for none; with one,
 *                          L2 boots with {@code nokaslr} and L1's companion gets the plugin's
 *                          control FIFO and output as INSN_CTL and INSN_LOG
 */
public record NestedSpec(
        String name,
        int l1MemoryMiB,
        int l2MemoryMiB,
        VIommu l2Viommu,
        ZoneSpec l2Zone,
        boolean l2HotAdd,
        List<GuestDevice> passthrough,
        List<String> l2Modules,
        List<String> l2CommandModules,
        List<String> l2Binaries,
        List<String> l2KernelArgs,
        String l2Command,
        String l1Companion,
        boolean l2QemuWithoutIpcLock,
        long l2MemlockBudgetBytes,
        Duration l2Timeout,
        Duration l2BootTimeout,
        Duration l2BootSilence,
        Duration l2FirstOutput,
        int l2BootAttempts,
        int l2StalledBoots,
        double sampleSeconds,
        int dmaEntryLimit,
        List<String> l1QemuArgs,
        InsnCounter l2InsnCounter) {

    /** L2's command's limit unless the builder is given another. */
    public static final Duration DEFAULT_L2_TIMEOUT = Duration.ofMinutes(8);

    public NestedSpec {
        require(l1MemoryMiB > 0 && l1MemoryMiB <= 2048, "l1MemoryMiB: " + l1MemoryMiB + " must be 1..2048");
        require(l2MemoryMiB > 0 && l2MemoryMiB <= 1024, "l2MemoryMiB: " + l2MemoryMiB + " must be 1..1024");
        require(l2MemoryMiB + 512 <= l1MemoryMiB,
                "l2MemoryMiB: " + l2MemoryMiB + " leaves L1 (" + l1MemoryMiB + " MiB) less than 512 MiB of its own");
        Objects.requireNonNull(l2Viommu, "l2Viommu: not set; use VIommu.NONE");
        require(l2Zone == null || l2MemoryMiB * Sizes.MIB - l2Zone.size() >= ZonePlanner.MIN_GUEST_FREE,
                "l2Zone: " + l2Zone + " leaves L2 (" + l2MemoryMiB + " MiB) less than "
                        + Sizes.format(ZonePlanner.MIN_GUEST_FREE) + " of its own; shrink the zone or raise l2MemoryMiB");
        require(!l2HotAdd || l2Zone != null, "l2HotAdd: only a zone plan adds its devices later; set l2Zone too");
        passthrough = List.copyOf(Objects.requireNonNull(passthrough, "passthrough"));
        require(!passthrough.isEmpty(), "passthrough: name at least one device to pass through to L2");
        require(passthrough.stream().map(GuestDevice::pciId).distinct().count() == passthrough.size(),
                "passthrough: " + passthrough + " names one PCI device twice");
        l2Modules = List.copyOf(Objects.requireNonNull(l2Modules, "l2Modules"));
        for (String m : l2Modules) {
            requireBuilt("l2Modules", m.split("\\s+", 2)[0]);
        }
        l2CommandModules = List.copyOf(Objects.requireNonNull(l2CommandModules, "l2CommandModules"));
        for (String m : l2CommandModules) {
            require(!m.isBlank() && !m.contains(" "), "l2CommandModules: '" + m
                    + "' must be one module file; L2's command gives the parameters when it loads it");
            requireBuilt("l2CommandModules", m);
        }
        l2Binaries = List.copyOf(Objects.requireNonNull(l2Binaries, "l2Binaries"));
        for (String b : l2Binaries) {
            require(b.startsWith("/") && Files.isExecutable(Path.of(b)),
                    "l2Binaries: " + b + " is not an executable absolute path; run ci/setup");
        }
        l2KernelArgs = List.copyOf(Objects.requireNonNull(l2KernelArgs, "l2KernelArgs"));
        l1QemuArgs = List.copyOf(Objects.requireNonNull(l1QemuArgs, "l1QemuArgs"));
        require(l2Command != null && !l2Command.isBlank(), "l2Command: not set");
        Objects.requireNonNull(l1Companion, "l1Companion: use \"\" for none");
        require(l2MemlockBudgetBytes >= 0, "l2MemlockBudgetBytes: " + l2MemlockBudgetBytes + " must be 0 (none) or more");
        if (l2MemlockBudgetBytes > 0) {
            long startup = ZonePlanner.startupPinnedBytes(l2Viommu, l2MemoryMiB * Sizes.MIB, passthrough.size());
            require(startup <= l2MemlockBudgetBytes, "l2MemlockBudgetBytes: with " + l2Viommu.label()
                    + " L2's QEMU pins " + Sizes.format(startup) + " as it starts, above the budget of "
                    + Sizes.format(l2MemlockBudgetBytes) + ": it would fail midway; use virtio-iommu "
                    + "(boot-bypass off) or raise the budget to " + Sizes.format(startup));
        }
        require(l2Timeout != null && l2Timeout.toSeconds() >= 30, "l2Timeout: " + l2Timeout + " must be at least 30 s");
        require(l2BootTimeout != null && l2BootTimeout.toSeconds() >= 30,
                "l2BootTimeout: " + l2BootTimeout + " must be at least 30 s");
        require(l2BootSilence != null && l2BootSilence.toSeconds() >= 5 && l2BootSilence.compareTo(l2BootTimeout) <= 0,
                "l2BootSilence: " + l2BootSilence + " must be at least 5 s and at most l2BootTimeout");
        require(l2FirstOutput != null && l2FirstOutput.toSeconds() >= 5 && l2FirstOutput.compareTo(l2BootTimeout) <= 0,
                "l2FirstOutput: " + l2FirstOutput + " must be at least 5 s and at most l2BootTimeout");
        require(l2BootAttempts >= 1 && l2BootAttempts <= 5, "l2BootAttempts: " + l2BootAttempts + " must be 1..5");
        require(l2StalledBoots >= 0 && l2StalledBoots <= l2BootAttempts,
                "l2StalledBoots: " + l2StalledBoots + " must be 0..l2BootAttempts");
        require(sampleSeconds >= 0.1 && sampleSeconds <= 10, "sampleSeconds: " + sampleSeconds + " must be 0.1..10");
        require(dmaEntryLimit >= 65535, "dmaEntryLimit: " + dmaEntryLimit + " must be at least the default 65535");
        VmSpec.requireValidName(name);
    }

    /**
     * A module named by its absolute path must be there to copy (one named relative to the test
     * kernel's modules is that kernel's own).
     */
    private static void requireBuilt(String field, String module) {
        require(!module.startsWith("/") || Files.isReadable(Path.of(module)),
                field + ": " + module + " does not exist; build it first");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The stock e1000e driver, as the test kernel has it (.ko or .ko.xz). */
    public static String e1000eModule() {
        return Kernels.selected().requireModule("kernel/drivers/net/ethernet/intel/e1000e/e1000e");
    }

    /** virtio-iommu, when the test kernel has it as a module (it must load before device drivers). */
    static java.util.Optional<String> virtioIommuModule() {
        return Kernels.selected().module("kernel/drivers/iommu/virtio-iommu");
    }

    /**
     * A builder with the defaults: L1 2 GiB, L2 512 MiB, no L2 vIOMMU, 0.5 s sampling,
     * dma_entry_limit 1048576 (with an L2 vIOMMU in caching mode every 4 KiB page L2
     * maps is one entry, and the default 65535 runs out at 256 MiB), 8 minutes for L2's
     * command; L2's boot: 3 attempts, each hung after 300 s without a console line or
     * 10 minutes in all. A sound L2 boot is silent from its APIC calibration (about 10 s of
     * its uptime) to its init (55 to 110 s): on a loaded 2-core machine, with the instruction
     * counter in its QEMU, that stretch took over 120 s in all three boots of one lane.
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link NestedSpec}. */
    public static final class Builder {
        private final String name;
        private int l1MemoryMiB = 2048;
        private int l2MemoryMiB = 512;
        private VIommu l2Viommu = VIommu.NONE;
        private ZoneSpec l2Zone;
        private final List<GuestDevice> passthrough = new ArrayList<>();
        private final List<String> l2Modules = new ArrayList<>();
        private final List<String> l2CommandModules = new ArrayList<>();
        private final List<String> l2Binaries = new ArrayList<>();
        private final List<String> l2KernelArgs = new ArrayList<>();
        private String l2Command;
        private String l1Companion = "";
        private boolean l2QemuWithoutIpcLock;
        private boolean l2HotAdd;
        private long l2MemlockBudgetBytes;
        private Duration l2Timeout = DEFAULT_L2_TIMEOUT;
        private Duration l2BootTimeout = Duration.ofMinutes(10);
        private Duration l2BootSilence = Duration.ofSeconds(300);
        /** L2's first console line came 6 to 47 s after its QEMU started in every run of the day. */
        private Duration l2FirstOutput = Duration.ofSeconds(120);
        private int l2BootAttempts = 3;
        private int l2StalledBoots;
        private double sampleSeconds = 0.5;
        private int dmaEntryLimit = 1 << 20;
        private InsnCounter l2InsnCounter;
        private final List<String> l1QemuArgs = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder l1MemoryMiB(int mib) {
            this.l1MemoryMiB = mib;
            return this;
        }

        public Builder l2MemoryMiB(int mib) {
            this.l2MemoryMiB = mib;
            return this;
        }

        /** The L2 vIOMMU; virtio-iommu's module is loaded first in L2. */
        public Builder l2Viommu(VIommu viommu) {
            this.l2Viommu = viommu;
            return this;
        }

        /** L2's DMA zone, planned in L1 by {@link ZonePlanner} (see {@link NestedSpec#l2Zone()}). */
        public Builder l2Zone(ZoneSpec zone) {
            this.l2Zone = zone;
            return this;
        }

        public Builder passthrough(GuestDevice device) {
            passthrough.add(device);
            return this;
        }

        public Builder l2Module(String module) {
            l2Modules.add(module);
            return this;
        }

        /** A module for L2's command to load (see {@link NestedSpec#l2CommandModules()}). */
        public Builder l2CommandModule(String module) {
            l2CommandModules.add(module);
            return this;
        }

        /** A program (absolute path) to copy into L2's image, with its shared libraries. */
        public Builder l2Binary(String program) {
            l2Binaries.add(program);
            return this;
        }

        /** The bash script body L1 runs beside L2 (traffic peer, tracer, fault driver). */
        public Builder l1Companion(String script) {
            this.l1Companion = script;
            return this;
        }

        /** Adds L2's devices once its IOMMU is on (see {@link NestedSpec#l2HotAdd()}). */
        public Builder l2HotAdd() {
            this.l2HotAdd = true;
            return this;
        }

        /** Starts L2's QEMU without CAP_IPC_LOCK, so RLIMIT_MEMLOCK binds its VFIO pins. */
        public Builder l2QemuWithoutIpcLock(boolean without) {
            this.l2QemuWithoutIpcLock = without;
            return this;
        }

        /**
         * Starts L2's QEMU under RLIMIT_MEMLOCK = {@code bytes} and without CAP_IPC_LOCK, as
         * {@code dmazone launch} does: the budget holds from QEMU's first pin.
         */
        public Builder l2MemlockBudget(long bytes) {
            this.l2MemlockBudgetBytes = bytes;
            return this;
        }

        public Builder l2KernelArg(String arg) {
            l2KernelArgs.add(arg);
            return this;
        }

        public Builder l2Command(String command) {
            this.l2Command = command;
            return this;
        }

        public Builder l2Timeout(Duration timeout) {
            this.l2Timeout = timeout;
            return this;
        }

        public Builder l2BootTimeout(Duration timeout) {
            this.l2BootTimeout = timeout;
            return this;
        }

        public Builder l2BootSilence(Duration silence) {
            this.l2BootSilence = silence;
            return this;
        }

        public Builder l2FirstOutput(Duration limit) {
            this.l2FirstOutput = limit;
            return this;
        }

        public Builder l2BootAttempts(int attempts) {
            this.l2BootAttempts = attempts;
            return this;
        }

        /** Starts the first {@code boots} L2 boots with stopped CPUs, to test the watchdog. */
        public Builder l2StalledBoots(int boots) {
            this.l2StalledBoots = boots;
            return this;
        }

        public Builder sampleSeconds(double seconds) {
            this.sampleSeconds = seconds;
            return this;
        }

        public Builder dmaEntryLimit(int limit) {
            this.dmaEntryLimit = limit;
            return this;
        }

        /** Further arguments of L1's QEMU (see {@link NestedSpec#l1QemuArgs()}). */
        public Builder l1QemuArg(String... args) {
            l1QemuArgs.addAll(List.of(args));
            return this;
        }

        /** Loads {@code counter} into L2's QEMU (see {@link NestedSpec#l2InsnCounter()}); null for none. */
        public Builder l2InsnCounter(InsnCounter counter) {
            this.l2InsnCounter = counter;
            return this;
        }

        public NestedSpec build() {
            List<String> modules = new ArrayList<>();
            if (l2Viommu == VIommu.VIRTIO_IOMMU_BOOT_BYPASS || l2Viommu == VIommu.VIRTIO_IOMMU) {
                virtioIommuModule().ifPresent(modules::add);
            }
            modules.addAll(l2Modules);
            return new NestedSpec(name, l1MemoryMiB, l2MemoryMiB, l2Viommu, l2Zone, l2HotAdd, passthrough, modules,
                    l2CommandModules,
                    l2Binaries,
                    l2KernelArgs, l2Command, l1Companion, l2QemuWithoutIpcLock || l2MemlockBudgetBytes > 0,
                    l2MemlockBudgetBytes, l2Timeout, l2BootTimeout,
                    l2BootSilence, l2FirstOutput, l2BootAttempts, l2StalledBoots, sampleSeconds,
                    dmaEntryLimit, l1QemuArgs, l2InsnCounter);
        }
    }
}
