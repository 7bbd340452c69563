package io.dmazone.cli;

import io.dmazone.sysfs.PciDevice;
import io.dmazone.sysfs.PciSysfs;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dmazone devices}: PCI devices with their IOMMU groups and drivers. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List PCI devices with their ids, class, driver and IOMMU group.")
final class DevicesCommand extends Subcommand {
    @Option(names = "--json", description = "Print the devices as JSON.")
    boolean json;

    @Option(names = "--vfio", description = "Only devices bound to vfio-pci.")
    boolean vfioOnly;

    @Override
    public Integer call() {
        List<PciDevice> devices = PciSysfs.system().devices().stream()
                .filter(d -> !vfioOnly || d.boundToVfioPci()).toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.print(out, devices.stream().map(DevicesCommand::toMap).toList());
            return Dmazone.OK;
        }
        if (!verbosity.quiet()) {
            out.printf("%-13s %-9s %-6s %-6s %s%n", "ADDRESS", "IDS", "CLASS", "GROUP", "DRIVER");
        }
        for (PciDevice d : devices) {
            out.printf("%-13s %-9s %06x %-6s %s%n", d.address(), d.ids(), d.classCode(),
                    d.iommuGroup().isPresent() ? Integer.toString(d.iommuGroup().getAsInt()) : "-",
                    d.driver().orElse("-"));
        }
        out.flush();
        return Dmazone.OK;
    }

    static Map<String, Object> toMap(PciDevice d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", d.address().toString());
        m.put("ids", d.ids());
        m.put("class", String.format("%06x", d.classCode()));
        m.put("iommuGroup", d.iommuGroup().isPresent() ? d.iommuGroup().getAsInt() : null);
        m.put("driver", d.driver().orElse(null));
        return m;
    }
}
