package io.dmazone.sysfs;

import io.dmazone.Failures;
import io.dmazone.SysfsException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A device bound to vfio-pci by {@link PciSysfs#bindToVfioPci(PciAddress)}. Closing it
 * unbinds the device from vfio-pci, clears {@code driver_override} and lets the kernel
 * give the device back to the driver it had before (if it had one).
 */
public final class VfioPciBinding implements AutoCloseable {
    private final PciSysfs sysfs;
    private final PciDevice before;
    private final boolean changed;
    private boolean closed;

    private VfioPciBinding(PciSysfs sysfs, PciDevice before, boolean changed) {
        this.sysfs = sysfs;
        this.before = before;
        this.changed = changed;
    }

    static VfioPciBinding bind(PciSysfs sysfs, PciDevice dev) {
        PciAddress a = dev.address();
        if (dev.iommuGroup().isEmpty()) {
            throw new SysfsException(sysfs.deviceDir(a), a + " has no IOMMU group, so VFIO cannot use it; "
                    + "enable the IOMMU (intel_iommu=on, or a vIOMMU in the VM)", null);
        }
        if (dev.boundToVfioPci()) {
            return new VfioPciBinding(sysfs, dev, false);
        }
        sysfs.write(sysfs.driverOverride(a), PciSysfs.VFIO_PCI);
        try {
            if (dev.driver().isPresent()) {
                sysfs.write(sysfs.unbindFile(a), a.toString());
            }
            sysfs.write(sysfs.driversProbe(), a.toString());
            if (!sysfs.settle().isZero()) {
                if (!sysfs.awaitDriver(a, Optional.of(PciSysfs.VFIO_PCI))) {
                    throw new SysfsException(sysfs.deviceDir(a), "vfio-pci did not take " + a
                            + " after driver_override; load it first (modprobe vfio-pci)", null);
                }
                Path node = sysfs.groupNode(dev.iommuGroup().getAsInt());
                if (!sysfs.awaitNode(node)) {
                    throw new SysfsException(node, a + " is bound to vfio-pci but " + node
                            + " did not appear; is devtmpfs mounted on /dev?", null);
                }
            }
        } catch (RuntimeException e) {
            try {
                restore(sysfs, dev);
            } catch (RuntimeException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        return new VfioPciBinding(sysfs, dev, true);
    }

    /** The device as it was before the binding. */
    public PciDevice before() {
        return before;
    }

    /** The device's address. */
    public PciAddress address() {
        return before.address();
    }

    /** Its IOMMU group number. */
    public int iommuGroup() {
        return before.iommuGroup().getAsInt();
    }

    /** True when this binding moved the device (false when it was already on vfio-pci). */
    public boolean changed() {
        return changed;
    }

    /**
     * Gives the device back to its previous driver; does nothing if it was already on
     * vfio-pci before, or on a second call.
     *
     * @throws SysfsException if a write fails or the old driver does not take it back
     */
    @Override
    public synchronized void close() {
        if (closed || !changed) {
            closed = true;
            return;
        }
        closed = true;
        restore(sysfs, before);
    }

    private static void restore(PciSysfs sysfs, PciDevice dev) {
        PciAddress a = dev.address();
        SysfsException first = null;
        try {
            if (sysfs.device(a).flatMap(PciDevice::driver).isPresent()) {
                sysfs.write(sysfs.unbindFile(a), a.toString());
            }
        } catch (SysfsException e) {
            first = e;
        }
        try {
            sysfs.write(sysfs.driverOverride(a), "\n");
            if (dev.driver().isPresent()) {
                sysfs.write(sysfs.driversProbe(), a.toString());
                if (!sysfs.settle().isZero() && !sysfs.awaitDriver(a, dev.driver())) {
                    throw new SysfsException(sysfs.deviceDir(a), a + " was not given back to "
                            + dev.driver().get() + "; bind it by hand: echo " + a
                            + " > /sys/bus/pci/drivers/" + dev.driver().get() + "/bind", null);
                }
            }
        } catch (SysfsException e) {
            first = Failures.keep(first, e);
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "VfioPciBinding[" + before.address() + ", was " + before.bindingDescription() + "]";
    }
}
