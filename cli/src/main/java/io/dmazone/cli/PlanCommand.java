package io.dmazone.cli;

import io.dmazone.Sizes;
import io.dmazone.zone.ZonePlan;
import io.dmazone.zone.ZonePlanner;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dmazone plan}: QEMU arguments, guest command line and memlock budget for a zone. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Work out what a guest with a DMA zone takes: QEMU arguments, the guest kernel command "
                + "line, and the RLIMIT_MEMLOCK budget QEMU needs, with what it pins at startup.")
final class PlanCommand extends Subcommand {
    /** Output forms. */
    enum Format {
        /** For people. */
        text,
        /** For programs. */
        json,
        /** The QEMU arguments only, one per line, for scripts ({@code mapfile -t args < <(...)}). */
        qemu_args,
        /** The guest kernel command line only. */
        cmdline
    }

    @Mixin
    PlanOptions options;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json|qemu-args|cmdline",
            converter = FormatConverter.class, description = "Output form (default ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--json", description = "Same as --format json.")
    boolean json;

    @Option(names = "--hot-add", description = "Add the devices once the guest's IOMMU is on (QMP device_add into "
            + "the plan's PCIe root ports): nothing pinned at startup, with intel-iommu too.")
    boolean hotAdd;

    @Override
    public Integer call() {
        ZonePlanner planner = options.planner();
        if (hotAdd) {
            planner.hotAdd();
        }
        ZonePlan plan = planner.plan();
        PrintWriter out = spec.commandLine().getOut();
        switch (json ? Format.json : format) {
            case json -> Json.print(out, toMap(plan));
            case qemu_args -> plan.qemuArgs().forEach(out::println);
            case cmdline -> out.println(plan.kernelCmdlineString());
            case text -> printText(out, plan);
            default -> throw new AssertionError(format);
        }
        out.flush();
        return Dmazone.OK;
    }

    private void printText(PrintWriter out, ZonePlan plan) {
        out.println("zone:            " + describeZone(plan));
        out.println("guest RAM:       " + Sizes.format(plan.guestRamBytes()));
        out.println("vIOMMU:          " + plan.viommu());
        out.println("QEMU arguments:  " + String.join(" ", plan.qemuArgs()));
        out.println("guest cmdline:   " + plan.kernelCmdlineString());
        out.println("memlock budget:  " + Sizes.format(plan.memlockBytes()) + " (" + plan.memlockBytes() + " bytes)");
        out.println("pinned at start: " + Sizes.format(plan.startupPinnedBytes()));
        out.println("pinned steady:   " + Sizes.format(plan.steadyPinnedBytes()));
        for (String device : plan.hotAddDevices()) {
            out.println("device_add:      " + device + " (once the guest's IOMMU is on)");
        }
        out.println("startup peak:    " + startupPeak(plan));
        if (!verbosity.quiet()) {
            for (String note : plan.notes()) {
                out.println("note:            " + note);
            }
        }
    }

    private static String startupPeak(ZonePlan plan) {
        return plan.hotAddDevices().isEmpty() ? plan.viommu().startupPeak()
                : "QEMU starts without the devices and pins nothing until the guest maps the zone for each, once added.";
    }

    private static String describeZone(ZonePlan plan) {
        return plan.zone().isPageBuilt() ? Sizes.format(plan.zone().size()) + " built from 2 MiB pages by the guest"
                : Sizes.format(plan.zone().size()) + " reserved at GPA " + Sizes.hex(plan.zone().guestPhysBase());
    }

    static Map<String, Object> toMap(ZonePlan plan) {
        Map<String, Object> zone = new LinkedHashMap<>();
        zone.put("sizeBytes", plan.zone().size());
        zone.put("base", plan.zone().isPageBuilt() ? null : Sizes.hex(plan.zone().guestPhysBase()));
        zone.put("pageBuilt", plan.zone().isPageBuilt());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("zone", zone);
        m.put("guestRamBytes", plan.guestRamBytes());
        m.put("viommu", plan.viommu().cliName());
        m.put("devices", plan.devices().stream().map(Object::toString).toList());
        m.put("qemuArgs", plan.qemuArgs());
        m.put("kernelCmdline", plan.kernelCmdlineString());
        m.put("memlockBytes", plan.memlockBytes());
        m.put("startupPinnedBytes", plan.startupPinnedBytes());
        m.put("steadyPinnedBytes", plan.steadyPinnedBytes());
        m.put("hotAddDevices", plan.hotAddDevices());
        m.put("startupPeak", startupPeak(plan));
        m.put("notes", List.copyOf(plan.notes()));
        return m;
    }

    /** {@code qemu-args} as users write it. */
    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            for (Format f : Format.values()) {
                if (f.name().replace('_', '-').equals(value)) {
                    return f;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("unknown format \"" + value
                    + "\"; use text, json, qemu-args or cmdline");
        }
    }
}
