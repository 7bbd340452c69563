package io.dmazone.vm;

import io.dmazone.zone.VIommu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a test VM is: kernel, size, machine, vIOMMU, devices, kernel command line
 * additions and the command to run inside. Validated when built, so a bad spec
 * fails before anything boots, with a message naming the field.
 *
 * @param name        short name for logs and the VM's work directory
 * @param kernel      kernel image to boot
 * @param memoryMiB   guest RAM in MiB
 * @param cpus        vCPUs
 * @param machine     QEMU machine type; {@code q35} whenever a vIOMMU is wanted
 * @param viommu      the virtual IOMMU, or {@link VIommu#NONE}
 * @param devices     extra PCI devices
 * @param kernelArgs  guest kernel command line additions
 * @param qemuArgs    further QEMU arguments
 * @param sharedDirs  host directories the guest may write (the whole host root is visible read-only)
 * @param command     shell command run as root inside the guest; its exit status is the verdict
 * @param timeout     hard limit for the guest command, from its start
 * @param bootTimeout hard limit from launch to the command's start, however busy the console
 * @param bootSilence the boot is declared hung after this long without a console line
 * @param bootAttempts boots tried in all when the watchdog finds them hung (1 = no retry)
 * @param stalledBoots the first this many boots start with the CPUs stopped (QEMU -S): a
 *                    guest that never makes progress, for testing the watchdog; 0 otherwise
 * @param heartbeatDir a shared host directory the command writes to as it makes progress, or
 *                    null: once the command has started, a guest that writes nothing there for
 *                    {@code heartbeatSilence} is taken for hung and killed
 *                    ({@link GuestStalledException}), where its console may be quiet by design
 * @param heartbeatSilence how long the command may leave {@code heartbeatDir} unwritten
 */
public record VmSpec(
        String name,
        Path kernel,
        int memoryMiB,
        int cpus,
        String machine,
        VIommu viommu,
        List<GuestDevice> devices,
        List<String> kernelArgs,
        List<String> qemuArgs,
        List<SharedDir> sharedDirs,
        String command,
        Duration timeout,
        Duration bootTimeout,
        Duration bootSilence,
        int bootAttempts,
        int stalledBoots,
        Path heartbeatDir,
        Duration heartbeatSilence) {

    /** What is left of x86's 2048-byte kernel command line once virtme-ng has added its ~900 bytes. */
    static final int MAX_KERNEL_ARGS_BYTES = 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public VmSpec {
        requireValidName(name);
        require(kernel != null, "kernel: not set; use Kernels.testKernel() or the path of a bzImage");
        require(Files.isReadable(kernel),
                "kernel: " + kernel + " does not exist or is not readable; run ci/setup to install the test kernel");
        require(memoryMiB > 0, "memoryMiB: " + memoryMiB + " must be positive (e.g. 2048)");
        require(memoryMiB <= 16384, "memoryMiB: " + memoryMiB + " exceeds 16384; this machine has 24 GiB for everything");
        require(cpus > 0 && cpus <= 8, "cpus: " + cpus + " must be between 1 and 8");
        require(machine != null && !machine.isBlank(), "machine: not set; use q35");
        Objects.requireNonNull(viommu, "viommu: not set; use VIommu.NONE for no IOMMU");
        require(viommu == VIommu.NONE || machine.equals("q35"),
                "machine: the vIOMMU " + viommu.label() + " needs q35, not " + machine);
        devices = List.copyOf(Objects.requireNonNull(devices, "devices"));
        kernelArgs = List.copyOf(Objects.requireNonNull(kernelArgs, "kernelArgs"));
        for (String arg : kernelArgs) {
            require(!arg.isBlank() && !arg.contains("\n"), "kernelArgs: '" + arg + "' must be one non-blank word");
        }
        int cmdlineBytes = kernelArgs.stream().mapToInt(a -> a.length() + 1).sum();
        require(cmdlineBytes <= MAX_KERNEL_ARGS_BYTES, "kernelArgs: " + cmdlineBytes + " bytes; at most "
                + MAX_KERNEL_ARGS_BYTES + " fit beside virtme-ng's own (the kernel keeps 2048 bytes)");
        qemuArgs = List.copyOf(Objects.requireNonNull(qemuArgs, "qemuArgs"));
        sharedDirs = List.copyOf(Objects.requireNonNull(sharedDirs, "sharedDirs"));
        require(command != null && !command.isBlank(), "command: not set; give the shell command to run in the guest");
        require(timeout != null && !timeout.isNegative() && !timeout.isZero(),
                "timeout: " + timeout + " must be positive");
        require(bootTimeout != null && bootTimeout.toSeconds() >= 10,
                "bootTimeout: " + bootTimeout + " must be at least 10 s");
        require(bootSilence != null && bootSilence.toSeconds() >= 5 && bootSilence.compareTo(bootTimeout) <= 0,
                "bootSilence: " + bootSilence + " must be at least 5 s and at most bootTimeout");
        require(bootAttempts >= 1 && bootAttempts <= 5, "bootAttempts: " + bootAttempts + " must be 1..5");
        require(stalledBoots >= 0 && stalledBoots <= bootAttempts,
                "stalledBoots: " + stalledBoots + " must be 0..bootAttempts");
        if (heartbeatDir != null) {
            Path beat = heartbeatDir;
            require(sharedDirs.stream().anyMatch(d -> d.hostPath().equals(beat)),
                    "heartbeatDir: " + heartbeatDir + " must be one of the shared directories the guest writes");
            require(heartbeatSilence != null && heartbeatSilence.toSeconds() >= 10,
                    "heartbeatSilence: " + heartbeatSilence + " must be at least 10 s");
        }
    }

    /** Checks a VM's name as {@link VmSpec} does (nested runs name their VMs the same way). */
    static void requireValidName(String name) {
        require(name != null && NAME.matcher(name).matches(),
                "name: '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * A builder with the defaults: the test kernel, 2 GiB, 2 vCPUs, q35, no vIOMMU, 10 minutes
     * for the command; the boot: 3 attempts, each hung after 90 s without a console line or
     * 15 minutes in all. Under TCG a hung boot prints an RCU stall within about 21 s; the
     * silence limit is for hangs that print nothing, and is well above the longest quiet
     * stretch of a healthy boot on a loaded two-core machine.
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link VmSpec}; validation happens in {@link #build()}. */
    public static final class Builder {
        private final String name;
        /** Null until set: the default, {@link Kernels#testKernel()}, is looked up by {@link #build()}. */
        private Path kernel;
        private int memoryMiB = 2048;
        private int cpus = 2;
        private String machine = "q35";
        private VIommu viommu = VIommu.NONE;
        private final List<GuestDevice> devices = new ArrayList<>();
        private final List<String> kernelArgs = new ArrayList<>();
        private final List<String> qemuArgs = new ArrayList<>();
        private final List<SharedDir> sharedDirs = new ArrayList<>();
        private String command;
        private Duration timeout = Duration.ofMinutes(10);
        private Duration bootTimeout = Duration.ofMinutes(15);
        private Duration bootSilence = Duration.ofSeconds(90);
        private int bootAttempts = 3;
        private int stalledBoots;
        private Path heartbeatDir;
        private Duration heartbeatSilence;

        private Builder(String name) {
            this.name = name;
        }

        public Builder kernel(Path kernel) {
            this.kernel = kernel;
            return this;
        }

        public Builder memoryMiB(int memoryMiB) {
            this.memoryMiB = memoryMiB;
            return this;
        }

        public Builder cpus(int cpus) {
            this.cpus = cpus;
            return this;
        }

        public Builder machine(String machine) {
            this.machine = machine;
            return this;
        }

        public Builder viommu(VIommu viommu) {
            this.viommu = viommu;
            return this;
        }

        public Builder device(GuestDevice device) {
            devices.add(Objects.requireNonNull(device, "devices: null device"));
            return this;
        }

        /** Adds a device by its label ({@code e1000e}, {@code edu}, {@code edu-64bit}). */
        public Builder device(String label) {
            return device(GuestDevice.parse(label));
        }

        public Builder kernelArg(String arg) {
            kernelArgs.add(arg);
            return this;
        }

        public Builder qemuArg(String... args) {
            qemuArgs.addAll(List.of(args));
            return this;
        }

        /** Lets the guest write {@code hostDir}, which it sees at {@code guestPath} (under /tmp). */
        public Builder sharedDir(Path hostDir, String guestPath) {
            sharedDirs.add(new SharedDir(hostDir, guestPath));
            return this;
        }

        public Builder command(String command) {
            this.command = command;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Limit for the boot, launch to the command's start. */
        public Builder bootTimeout(Duration bootTimeout) {
            this.bootTimeout = bootTimeout;
            return this;
        }

        /** How long a boot may print nothing before it counts as hung. */
        public Builder bootSilence(Duration bootSilence) {
            this.bootSilence = bootSilence;
            return this;
        }

        public Builder bootAttempts(int bootAttempts) {
            this.bootAttempts = bootAttempts;
            return this;
        }

        /** Starts the first {@code boots} boots with stopped CPUs, to test the watchdog. */
        public Builder stalledBoots(int boots) {
            this.stalledBoots = boots;
            return this;
        }

        /**
         * Once the command has started, the guest must write into the shared {@code hostDir}
         * at least every {@code silence}, or it is taken for hung and killed.
         */
        public Builder heartbeat(Path hostDir, Duration silence) {
            this.heartbeatDir = hostDir;
            this.heartbeatSilence = silence;
            return this;
        }

        public VmSpec build() {
            return new VmSpec(name, kernel != null ? kernel : Kernels.testKernel(), memoryMiB, cpus, machine, viommu,
                    devices, kernelArgs, qemuArgs, sharedDirs, command, timeout, bootTimeout, bootSilence, bootAttempts,
                    stalledBoots, heartbeatDir, heartbeatSilence);
        }
    }
}
