package io.dmazone.vfio;

import io.dmazone.DeviceNotBoundException;
import io.dmazone.DeviceNotFoundException;
import io.dmazone.Errno;
import io.dmazone.Failures;
import io.dmazone.GroupNotViableException;
import io.dmazone.NativeCallException;
import io.dmazone.internal.KernelHandle;
import io.dmazone.SysfsException;
import io.dmazone.internal.Sys;
import io.dmazone.jni.Natives;
import io.dmazone.sysfs.PciAddress;
import io.dmazone.sysfs.PciDevice;
import io.dmazone.sysfs.PciSysfs;
import java.util.List;
import java.util.Optional;

/**
 * A VFIO group ({@code /dev/vfio/<number>}) attached to a {@link VfioContainer}. Closing
 * it detaches it from the container and closes its fd; devices opened from it are closed
 * first if still open.
 */
public final class VfioGroup extends KernelHandle {
    private final VfioContainer container;
    private final int number;
    private final int fd;
    private boolean attached;

    private VfioGroup(VfioContainer container, int number, int fd) {
        this.container = container;
        this.number = number;
        this.fd = fd;
    }

    static VfioGroup open(VfioContainer container, int number) {
        if (number < 0) {
            throw new IllegalArgumentException("group number " + number + " is negative; see /sys/kernel/iommu_groups");
        }
        PciSysfs sysfs = container.sysfs();
        String node = sysfs.groupNode(number).toString();
        int fd = Natives.open(node, Natives.O_RDWR);
        if (fd < 0) {
            int e = -fd;
            String hint;
            if (e == Errno.ENOENT) {
                hint = "group " + number + " has no device bound to vfio-pci; bind one first (PciSysfs.bindToVfioPci)";
            } else if (e == Errno.EBUSY) {
                hint = "group " + number + " is already open, by this or another process (a VM?); close it there first";
            } else if (e == Errno.EACCES || e == Errno.EPERM) {
                hint = "run as root or give yourself access to " + node;
            } else {
                hint = null;
            }
            throw new NativeCallException("open(" + node + ")", e, hint);
        }
        try {
            int flags = Sys.check(Natives.vfioGroupGetStatus(fd), "VFIO_GROUP_GET_STATUS(group " + number + ")", null);
            if ((flags & Natives.VFIO_GROUP_FLAGS_VIABLE) == 0) {
                throw new GroupNotViableException(number, blockers(sysfs, number));
            }
        } catch (RuntimeException e) {
            Natives.close(fd);
            throw e;
        }
        return new VfioGroup(container, number, fd);
    }

    private static List<String> blockers(PciSysfs sysfs, int number) {
        try {
            return sysfs.iommuGroup(number).blockers().stream()
                    .map(d -> d.address() + " is " + d.bindingDescription()).toList();
        } catch (SysfsException e) {
            return List.of();
        }
    }

    void attached() {
        attached = true;
    }

    /** The group number. */
    public int number() {
        return number;
    }

    int fd() {
        return fd;
    }

    /** The container it is attached to. */
    public VfioContainer container() {
        return container;
    }

    /**
     * Opens a device of this group.
     *
     * @throws DeviceNotFoundException if there is no such device or it belongs to another group
     * @throws DeviceNotBoundException if it is not bound to vfio-pci
     */
    public VfioDevice openDevice(PciAddress address) {
        ensureOpen();
        int dfd = Natives.vfioGroupGetDeviceFd(fd, address.toString());
        if (dfd < 0) {
            throw diagnose(address, -dfd);
        }
        VfioDevice d;
        try {
            d = VfioDevice.open(this, address, dfd);
        } catch (RuntimeException e) {
            Natives.close(dfd);
            throw e;
        }
        container.register(d);
        return d;
    }

    private RuntimeException diagnose(PciAddress address, int errno) {
        NativeCallException raw = new NativeCallException("VFIO_GROUP_GET_DEVICE_FD(" + address + ")", errno, null);
        PciSysfs sysfs = container.sysfs();
        Optional<PciDevice> dev;
        try {
            dev = sysfs.device(address);
        } catch (RuntimeException e) {
            return raw;
        }
        RuntimeException out;
        if (dev.isEmpty()) {
            out = new DeviceNotFoundException(address.toString(), "no PCI device " + address
                    + " (not in /sys/bus/pci/devices); check the address with lspci -D");
        } else if (dev.get().iommuGroup().isPresent() && dev.get().iommuGroup().getAsInt() != number) {
            out = new DeviceNotFoundException(address.toString(), address + " is in IOMMU group "
                    + dev.get().iommuGroup().getAsInt() + ", not group " + number + "; open it from its own group");
        } else if (!dev.get().boundToVfioPci()) {
            out = new DeviceNotBoundException(address.toString(), dev.get().driver().orElse(null));
        } else {
            return raw;
        }
        out.initCause(raw);
        return out;
    }

    @Override
    protected String closedMessage() {
        return "group " + number + " is closed";
    }

    /** Detaches from the container and closes the group fd. */
    @Override
    protected void release() {
        container.forget(this);
        NativeCallException first = null;
        if (attached) {
            int r = Natives.vfioGroupUnsetContainer(fd);
            if (r < 0) {
                first = new NativeCallException("VFIO_GROUP_UNSET_CONTAINER(group " + number + ")", -r,
                        "close the group's devices first");
            }
        }
        int c = Natives.close(fd);
        if (c < 0) {
            NativeCallException e = new NativeCallException("close(group " + number + ")", -c, null);
            first = Failures.keep(first, e);
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "VfioGroup[" + number + (isClosed() ? ", closed" : "") + "]";
    }
}
