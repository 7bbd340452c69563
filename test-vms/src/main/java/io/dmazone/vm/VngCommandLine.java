package io.dmazone.vm;

import io.dmazone.zone.VIommu;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Turns a {@link VmSpec} into the virtme-ng command line that boots it. */
final class VngCommandLine {
    /** Printed to stderr by the guest before the command, parsed back by {@link GuestFacts}. */
    static final String FACTS_MARKER = "DMAZONE-GUEST";

    private VngCommandLine() {
    }

    /**
     * The command line. {@code commandFile} holds the guest's script (see
     * {@link #guestScript}): vng passes --exec on the kernel command line, which the
     * kernel caps at 2048 bytes, so only the file's path travels there.
     */
    static List<String> of(VmSpec spec, Accel accel, Path commandFile, boolean stalled) {
        List<String> cmd = new ArrayList<>();
        cmd.add("vng");
        // --verbose sends the kernel console to vng's stderr; the command's stdout stays on stdout.
        cmd.add("--verbose");
        if (accel == Accel.TCG) {
            cmd.add("--disable-kvm");
        }
        cmd.add("--disable-microvm");
        cmd.add("--name");
        cmd.add(spec.name());
        cmd.add("--run");
        cmd.add(spec.kernel().toString());
        cmd.add("--cpus");
        cmd.add(Integer.toString(spec.cpus()));
        cmd.add("--memory");
        cmd.add(spec.memoryMiB() + "M");
        for (String arg : spec.viommu().kernelParams()) {
            cmd.add("--append=" + arg);
        }
        for (String arg : spec.kernelArgs()) {
            cmd.add("--append=" + arg);
        }
        for (SharedDir dir : spec.sharedDirs()) {
            cmd.add("--rwdir=" + dir.guestPath() + "=" + dir.hostPath());
        }
        cmd.add("--exec");
        cmd.add("bash " + commandFile);
        List<String> qemu = qemuArgs(spec, accel, commandFile.getParent());
        if (stalled) {
            // CPUs stopped from the start and never resumed: the watchdog's test case.
            qemu.add("-S");
        }
        cmd.add("--qemu-opts=" + shellJoin(qemu));
        return cmd;
    }

    /** The script the guest runs: first its facts line on stderr, then the spec's command. */
    static String guestScript(VmSpec spec) {
        return "#!/bin/bash\n" + FACTS_MARKER_COMMAND + "\n" + spec.command() + "\n";
    }

    private static final String FACTS_MARKER_COMMAND = "echo \"" + FACTS_MARKER
            + " uptime=$(cut -d' ' -f1 /proc/uptime)"
            + " kernel=$(uname -r)"
            + " clocksources=$(tr ' ' ',' </sys/devices/system/clocksource/clocksource0/available_clocksource)"
            + "\" >&2";

    private static List<String> qemuArgs(VmSpec spec, Accel accel, Path runDirectory) {
        List<String> args = new ArrayList<>();
        String machine = spec.machine();
        if (accel == Accel.KVM && spec.viommu() == VIommu.INTEL_IOMMU) {
            // intel-iommu's interrupt remapping needs the IOAPIC in QEMU under KVM.
            machine += ",kernel-irqchip=split";
        }
        args.add("-machine");
        args.add(machine);
        if (spec.viommu().needsQboot()) {
            args.add("-bios");
            args.add("/usr/share/qemu/qboot.rom");
        }
        args.addAll(spec.viommu().qemuArgs());
        for (GuestDevice device : spec.devices()) {
            args.addAll(device.qemuArgs(runDirectory));
        }
        args.addAll(spec.qemuArgs());
        return args;
    }

    /** vng hands --qemu-opts to a shell, so each argument is quoted for one. */
    private static String shellJoin(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (String arg : args) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append('\'').append(arg.replace("'", "'\\''")).append('\'');
        }
        return sb.toString();
    }
}
