package example;

import io.dmazone.Sizes;
import io.dmazone.memory.ResourceLimits;
import io.dmazone.sysfs.PciAddress;
import io.dmazone.zone.VIommu;
import io.dmazone.zone.ZonePlan;
import io.dmazone.zone.ZonePlanner;
import io.dmazone.zone.ZoneSpec;

/** Plans a 64 MiB zone for a 4 GiB guest and reads this process's memlock limit (through JNI). */
public final class PlanAndLimit {
    public static void main(String[] args) {
        ZonePlan plan = ZonePlanner.forZone(ZoneSpec.parse("64M@0x40000000"), 4 * Sizes.GIB)
                .viommu(VIommu.VIRTIO_IOMMU)
                .device(PciAddress.parse(args.length > 0 ? args[0] : "0000:00:09.0"))
                .plan();
        System.out.println("QEMU: " + String.join(" ", plan.qemuArgs()));
        System.out.println("guest: " + plan.kernelCmdlineString());
        System.out.println("budget: " + Sizes.format(plan.memlockBytes()));
        System.out.println("this process may lock: " + ResourceLimits.memlock());
    }
}
