package io.dmazone.cli;

import io.dmazone.sysfs.PciAddress;
import io.dmazone.sysfs.PciDevice;
import io.dmazone.sysfs.PciSysfs;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dmazone unbind BDF}: gives a device back from vfio-pci to whichever host driver matches it. */
@Command(name = "unbind", mixinStandardHelpOptions = true,
        description = "Take a PCI device off vfio-pci and let the host driver that matches it take it back.")
final class UnbindCommand extends Subcommand {
    @Parameters(paramLabel = "BDF", description = "The device, e.g. 0000:00:09.0.", converter = Converters.Pci.class)
    PciAddress address;

    @Override
    public Integer call() {
        PciDevice after = PciSysfs.system().releaseFromVfioPci(address);
        PrintWriter out = spec.commandLine().getOut();
        out.println(address + ": released from vfio-pci, now " + after.bindingDescription());
        out.flush();
        return Dmazone.OK;
    }
}
