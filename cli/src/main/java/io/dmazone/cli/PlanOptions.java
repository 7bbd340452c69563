package io.dmazone.cli;

import io.dmazone.sysfs.PciAddress;
import io.dmazone.zone.VIommu;
import io.dmazone.zone.ZonePlan;
import io.dmazone.zone.ZonePlanner;
import io.dmazone.zone.ZoneSpec;
import java.util.List;
import picocli.CommandLine.Option;

/** The options that make a {@link ZonePlan}, shared by {@code plan} and {@code launch}. */
final class PlanOptions {
    @Option(names = "--guest-ram", required = true, paramLabel = "SIZE", converter = Converters.Size.class,
            description = "Guest RAM, e.g. 8G.")
    long guestRam;

    @Option(names = "--zone", required = true, paramLabel = "SIZE[@BASE]", converter = Converters.Zone.class,
            description = "The zone: SIZE@BASE reserves a window at boot (memmap=), e.g. 256M@0x40000000; "
                    + "SIZE alone has the guest build it from 2 MiB pages.")
    ZoneSpec zone;

    @Option(names = "--viommu", defaultValue = "virtio", paramLabel = "virtio|intel|virtio-bypass|none",
            converter = Converters.Viommu.class,
            description = "The guest's vIOMMU (default ${DEFAULT-VALUE}): virtio (boot-bypass off, nothing pinned "
                    + "before the guest maps its zone), intel, virtio-bypass (QEMU's default boot-bypass=on), "
                    + "or none (full pinning, the baseline).")
    VIommu viommu;

    @Option(names = "--device", required = true, paramLabel = "BDF", converter = Converters.Pci.class,
            description = "A host device to pass through (repeat for more), e.g. 0000:00:09.0.")
    List<PciAddress> devices;

    @Option(names = "--kvm", description = "QEMU runs with KVM (intel-iommu then needs kernel-irqchip=split).")
    boolean kvm;

    /**
     * The plan.
     *
     * @throws IllegalArgumentException if the zone does not fit the guest or a device is given twice
     */
    ZonePlan plan() {
        return planner().plan();
    }

    /** The planner with these options, for a command that adds its own. */
    ZonePlanner planner() {
        ZonePlanner planner = ZonePlanner.forZone(zone, guestRam).viommu(viommu).kvm(kvm);
        devices.forEach(planner::device);
        return planner;
    }
}
