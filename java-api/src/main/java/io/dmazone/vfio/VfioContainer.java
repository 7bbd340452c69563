package io.dmazone.vfio;

import io.dmazone.CloseableStack;
import io.dmazone.DeviceNotBoundException;
import io.dmazone.DmaMapException;
import io.dmazone.DmazoneException;
import io.dmazone.Errno;
import io.dmazone.Failures;
import io.dmazone.NativeCallException;
import io.dmazone.internal.KernelHandle;
import io.dmazone.Sizes;
import io.dmazone.internal.Sys;
import io.dmazone.jni.Natives;
import io.dmazone.memory.MemlockLimit;
import io.dmazone.memory.NativeMemory;
import io.dmazone.memory.PinnedFootprint;
import io.dmazone.memory.ResourceLimits;
import io.dmazone.sysfs.PciAddress;
import io.dmazone.sysfs.PciDevice;
import io.dmazone.sysfs.PciSysfs;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A VFIO type1 container ({@code /dev/vfio/vfio}): the {@link DmaSpace} of the legacy
 * container/group interface.
 *
 * <pre>{@code
 * try (VfioContainer c = VfioContainer.open(IommuBackend.TYPE1V2);
 *      VfioDevice edu = c.openDevice(PciAddress.parse("0000:00:0a.0"));
 *      NativeMemory zone = NativeMemory.anonymous(16 << 20);
 *      MappedDma dma = c.map(zone, DmaMapping.readWrite(0x100000, 16 << 20))) {
 *     // the device can now reach IOVAs [0x100000, 0x1100000), and nothing else
 * }
 * }</pre>
 *
 * <p>The IOMMU type is set when the first group is attached (the kernel needs a group
 * first). Groups, devices and mappings opened through the container are closed by
 * {@link #close()} in reverse order if the caller has not closed them.
 */
public final class VfioContainer extends KernelHandle implements DmaSpace {
    private final IommuBackend backend;
    private final PciSysfs sysfs;
    private final int fd;
    private final CloseableStack children = new CloseableStack();
    private final List<MappedDma> mappings = new ArrayList<>();
    private final List<VfioGroup> groups = new ArrayList<>();
    private boolean iommuSet;

    private VfioContainer(IommuBackend backend, PciSysfs sysfs, int fd) {
        this.backend = backend;
        this.sysfs = sysfs;
        this.fd = fd;
    }

    /** Opens a container on the running system. */
    public static VfioContainer open(IommuBackend backend) {
        return open(backend, PciSysfs.system());
    }

    /**
     * Opens {@code /dev/vfio/vfio} and checks the API version and that the backend is supported.
     *
     * @throws NativeCallException if VFIO is not there or does not support the backend
     */
    public static VfioContainer open(IommuBackend backend, PciSysfs sysfs) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(sysfs, "sysfs");
        if (backend.family() != IommuBackend.Family.VFIO_CONTAINER) {
            throw new IllegalArgumentException(backend + " is not a VFIO container backend");
        }
        Sys.requireNatives();
        String node = sysfs.containerNode().toString();
        int fd = Natives.open(node, Natives.O_RDWR);
        if (fd < 0) {
            int e = -fd;
            throw new NativeCallException("open(" + node + ")", e,
                    e == Errno.ENOENT ? "VFIO is not loaded: modprobe vfio-pci (needs an IOMMU: intel_iommu=on)"
                            : e == Errno.EACCES || e == Errno.EPERM ? "run as root or give yourself access to " + node
                            : null);
        }
        try {
            int v = Natives.vfioGetApiVersion(fd);
            Sys.check(v, "VFIO_GET_API_VERSION", null);
            if (v != Natives.VFIO_API_VERSION) {
                throw new DmazoneException("VFIO API version " + v + " is not " + Natives.VFIO_API_VERSION
                        + ", the one this library speaks; use a matching kernel");
            }
            int ext = Sys.check(Natives.vfioCheckExtension(fd, backend.kernelType()),
                    "VFIO_CHECK_EXTENSION(" + backend.kernelName() + ")", null);
            if (ext == 0) {
                throw new DmazoneException("the kernel's VFIO does not support " + backend.kernelName()
                        + "; load vfio_iommu_type1 (modprobe vfio_iommu_type1) or choose another backend");
            }
            return new VfioContainer(backend, sysfs, fd);
        } catch (RuntimeException e) {
            Natives.close(fd);
            throw e;
        }
    }

    @Override
    public IommuBackend backend() {
        return backend;
    }

    /** The sysfs view used for diagnostics and group lookups. */
    public PciSysfs sysfs() {
        return sysfs;
    }

    int fd() {
        return fd;
    }

    /**
     * Attaches group {@code number} ({@code /dev/vfio/<number>}); the first attach sets the IOMMU type.
     *
     * @throws io.dmazone.GroupNotViableException naming the devices bound to host drivers
     * @throws NativeCallException                 if the group cannot be opened, saying why
     */
    public synchronized VfioGroup attachGroup(int number) {
        ensureOpen();
        VfioGroup g = VfioGroup.open(this, number);
        try {
            Sys.check(Natives.vfioGroupSetContainer(g.fd(), fd), "VFIO_GROUP_SET_CONTAINER(group " + number + ")",
                    "is the group already in another container?");
            g.attached();
            if (!iommuSet) {
                Sys.check(Natives.vfioSetIommu(fd, backend.kernelType()), "VFIO_SET_IOMMU(" + backend.kernelName() + ")",
                        "the IOMMU driver refused this type; try the other type1 backend");
                iommuSet = true;
            }
        } catch (RuntimeException e) {
            try {
                g.close();
            } catch (RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
        groups.add(g);
        children.push(g);
        return g;
    }

    /**
     * Attaches the IOMMU group of {@code device}, after checking that the device exists and is
     * bound to vfio-pci.
     *
     * @throws io.dmazone.DeviceNotFoundException if there is no such device
     * @throws DeviceNotBoundException            if it is not bound to vfio-pci
     */
    public synchronized VfioGroup attachGroupOf(PciAddress device) {
        PciDevice d = sysfs.require(device);
        if (!d.boundToVfioPci()) {
            throw new DeviceNotBoundException(device.toString(), d.driver().orElse(null));
        }
        int n = d.iommuGroup().orElseThrow(() -> new DmazoneException(device
                + " has no IOMMU group; enable the IOMMU (intel_iommu=on)"));
        for (VfioGroup g : groups) {
            if (g.number() == n && !g.isClosed()) {
                return g;
            }
        }
        return attachGroup(n);
    }

    /** Attaches the device's group (if not yet) and opens the device. */
    public synchronized VfioDevice openDevice(PciAddress device) {
        return attachGroupOf(device).openDevice(device);
    }

    synchronized void register(AutoCloseable child) {
        children.push(child);
    }

    synchronized void forget(AutoCloseable child) {
        children.remove(child);
        if (child instanceof VfioGroup) {
            groups.remove(child);
        }
    }

    @Override
    public synchronized IommuInfo info() {
        ensureOpen();
        if (!iommuSet) {
            throw new IllegalStateException("the IOMMU type is set when the first group is attached; attach a group first");
        }
        byte[] buf = new byte[256];
        while (true) {
            Sys.check(Natives.vfioIommuGetInfo(fd, buf), "VFIO_IOMMU_GET_INFO", null);
            int argsz = java.nio.ByteBuffer.wrap(buf).order(java.nio.ByteOrder.nativeOrder()).getInt(0);
            if (argsz <= buf.length) {
                return IommuInfo.parse(buf);
            }
            buf = new byte[argsz];
        }
    }

    @Override
    public MappedDma map(NativeMemory memory, long offset, DmaMapping m) {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(m, "mapping");
        if (offset < 0 || offset % Sizes.PAGE_SIZE != 0 || offset > memory.size() || m.size() > memory.size() - offset) {
            throw new IllegalArgumentException("mapping " + m + " at offset " + offset + " does not fit in "
                    + memory + "; map at most the memory's size from a 4 KiB aligned offset");
        }
        synchronized (this) {
            ensureOpen();
            if (!iommuSet) {
                throw new IllegalStateException("attach a group before mapping DMA: the IOMMU type is set by the first attach");
            }
            String call = "VFIO_IOMMU_MAP_DMA " + Sizes.format(m.size());
            int r = Natives.vfioMapDma(fd, memory.address() + offset, m.iova(), m.size(), m.flags());
            if (r < 0) {
                throw new DmaMapException(call, -r, mapHint(-r, m), m.iova(), m.size());
            }
            MappedDma d = new MappedDma(this, m, memory, offset);
            mappings.add(d);
            children.push(d);
            return d;
        }
    }

    private String mapHint(int errno, DmaMapping m) {
        switch (errno) {
            case Errno.ENOMEM: {
                String limit;
                String locked = "";
                try {
                    MemlockLimit l = ResourceLimits.memlock();
                    limit = MemlockLimit.describe(l.soft());
                    long lck = PinnedFootprint.self().vmLckBytes();
                    if (lck > 0) {
                        locked = " with " + Sizes.format(lck) + " already locked";
                    }
                } catch (RuntimeException e) {
                    limit = "unknown";
                }
                return "RLIMIT_MEMLOCK is " + limit + locked + "; raise it or map less";
            }
            case Errno.ENOSPC:
                return "the container has no DMA mappings left (vfio_iommu_type1 dma_entry_limit); unmap some, "
                        + "map in larger pieces, or raise dma_entry_limit";
            case Errno.EEXIST:
                return "IOVA " + m.range() + " overlaps an existing mapping; unmap it first or choose another IOVA";
            case Errno.EINVAL:
                return "IOVA " + m.range() + " must be aligned to the IOMMU page size and inside a usable range: "
                        + safeRanges();
            case Errno.EFAULT:
                return "the memory is not mapped in this process";
            case Errno.EPERM:
                return "the device may write but the memory is read-only, or the process lacks CAP_IPC_LOCK";
            default:
                return null;
        }
    }

    private String safeRanges() {
        try {
            return info().iovaRanges().toString();
        } catch (RuntimeException e) {
            return "(unknown)";
        }
    }

    void unmap(MappedDma d) {
        synchronized (this) {
            mappings.remove(d);
            children.remove(d);
        }
        DmaMapping m = d.mapping();
        long r = Natives.vfioUnmapDma(fd, m.iova(), m.size());
        Sys.check(r, "VFIO_IOMMU_UNMAP_DMA " + Sizes.format(m.size()) + " at " + Sizes.hex(m.iova()), null);
        if (r != m.size()) {
            throw new DmazoneException("VFIO_IOMMU_UNMAP_DMA at " + Sizes.hex(m.iova()) + " unmapped "
                    + Sizes.format(r) + " of " + Sizes.format(m.size()) + "; the mapping was changed behind this handle");
        }
    }

    @Override
    public synchronized List<MappedDma> mappings() {
        return List.copyOf(mappings);
    }

    @Override
    protected String closedMessage() {
        return "VFIO container is closed; open a new one";
    }

    @Override
    protected void release() {
        Throwable first = null;
        try {
            children.close();
        } catch (Throwable t) {
            first = t;
        }
        int r = Natives.close(fd);
        if (r < 0) {
            NativeCallException e = new NativeCallException("close(container)", -r, null);
            first = Failures.keep(first, e);
        }
        if (first instanceof RuntimeException) {
            throw (RuntimeException) first;
        }
        if (first instanceof Error) {
            throw (Error) first;
        }
        if (first != null) {
            throw new DmazoneException("closing the VFIO container failed: " + first, first);
        }
    }

    @Override
    public synchronized String toString() {
        return "VfioContainer[" + backend + ", " + groups.size() + " groups, " + mappings.size() + " mappings"
                + (isClosed() ? ", closed" : "") + "]";
    }
}
