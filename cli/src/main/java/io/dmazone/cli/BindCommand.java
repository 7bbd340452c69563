package io.dmazone.cli;

import io.dmazone.GroupNotViableException;
import io.dmazone.sysfs.PciAddress;
import io.dmazone.sysfs.PciDevice;
import io.dmazone.sysfs.PciSysfs;
import io.dmazone.sysfs.VfioPciBinding;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code dmazone bind BDF}: hands a device to vfio-pci, as {@code virsh nodedev-detach}
 * does, refusing when another device of its IOMMU group is held by a host driver (VFIO
 * could not use the group, and taking the others silently would surprise the host).
 */
@Command(name = "bind", mixinStandardHelpOptions = true,
        description = {"Bind a PCI device to vfio-pci (through driver_override), so a VM can be given it.",
                "Refuses, changing nothing, when another device of its IOMMU group is bound to a host driver."})
final class BindCommand extends Subcommand {
    @Parameters(paramLabel = "BDF", description = "The device, e.g. 0000:00:09.0 (dmazone devices lists them).",
            converter = Converters.Pci.class)
    PciAddress address;

    @Override
    public Integer call() {
        PciSysfs sysfs = PciSysfs.system();
        PciDevice device = sysfs.require(address);
        PrintWriter out = spec.commandLine().getOut();
        if (device.boundToVfioPci()) {
            out.println(address + ": already bound to vfio-pci, group " + device.iommuGroup().getAsInt());
            out.flush();
            return Dmazone.OK;
        }
        if (device.iommuGroup().isPresent()) {
            int group = device.iommuGroup().getAsInt();
            List<String> blockers = sysfs.iommuGroup(group).blockers().stream()
                    .filter(d -> !d.address().equals(address))
                    .map(d -> d.address() + " is " + d.bindingDescription()).toList();
            if (!blockers.isEmpty()) {
                throw new GroupNotViableException(group, blockers);
            }
        }
        // Not closed: the device stays on vfio-pci until dmazone unbind.
        VfioPciBinding binding = sysfs.bindToVfioPci(address);
        out.println(address + ": bound to vfio-pci (was " + binding.before().bindingDescription() + "), group "
                + binding.iommuGroup() + " (" + sysfs.groupNode(binding.iommuGroup()) + ")");
        out.flush();
        return Dmazone.OK;
    }
}
