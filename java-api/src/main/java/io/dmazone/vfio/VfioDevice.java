package io.dmazone.vfio;

import io.dmazone.CloseableStack;
import io.dmazone.DmazoneException;
import io.dmazone.Failures;
import io.dmazone.NativeCallException;
import io.dmazone.internal.KernelHandle;
import io.dmazone.Sizes;
import io.dmazone.internal.Sys;
import io.dmazone.jni.Natives;
import io.dmazone.memory.NativeMemory;
import io.dmazone.sysfs.PciAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * A VFIO device fd: info, regions (read/write through the fd, or mmap), reset. Closing it
 * unmaps its mmapped regions and closes the fd.
 */
public final class VfioDevice extends KernelHandle {
    /** PCI command register offset in config space. */
    public static final int PCI_COMMAND = 0x04;
    /** PCI command bit: bus master enable. */
    public static final int PCI_COMMAND_MASTER = 0x4;
    /** PCI command bit: memory space enable. */
    public static final int PCI_COMMAND_MEMORY = 0x2;

    private final VfioGroup group;
    private final PciAddress address;
    private final int fd;
    private final DeviceInfo info;
    private final Map<Integer, RegionInfo> regions = new HashMap<>();
    private final CloseableStack mmaps = new CloseableStack();

    private VfioDevice(VfioGroup group, PciAddress address, int fd, DeviceInfo info) {
        this.group = group;
        this.address = address;
        this.fd = fd;
        this.info = info;
    }

    static VfioDevice open(VfioGroup group, PciAddress address, int fd) {
        long[] out = new long[3];
        Sys.check(Natives.vfioDeviceGetInfo(fd, out), "VFIO_DEVICE_GET_INFO(" + address + ")", null);
        return new VfioDevice(group, address, fd, new DeviceInfo(out[0], (int) out[1], (int) out[2]));
    }

    /** Its PCI address. */
    public PciAddress address() {
        return address;
    }

    /** Its group. */
    public VfioGroup group() {
        return group;
    }

    /** {@code VFIO_DEVICE_GET_INFO}, read at open. */
    public DeviceInfo info() {
        return info;
    }

    /** {@code VFIO_DEVICE_GET_REGION_INFO} for {@code index} (cached). */
    public synchronized RegionInfo region(int index) {
        ensureOpen();
        if (index < 0 || index >= info.numRegions()) {
            throw new IllegalArgumentException("region " + index + " does not exist; " + address + " has "
                    + info.numRegions() + " regions (BAR0 = 0, config = 7)");
        }
        return regions.computeIfAbsent(index, i -> {
            long[] out = new long[3];
            Sys.check(Natives.vfioDeviceGetRegionInfo(fd, i, out), "VFIO_DEVICE_GET_REGION_INFO(" + i + ")", null);
            return new RegionInfo(i, out[0], out[1], out[2]);
        });
    }

    /** Reads {@code buf.length} bytes of region {@code index} at {@code offset}. */
    public void read(int index, long offset, byte[] buf) {
        RegionInfo r = checkedRegion(index, offset, buf.length);
        long n = Sys.check(Natives.pread(fd, buf, 0, buf.length, r.offset() + offset),
                "pread(region " + index + " + " + Sizes.hex(offset) + ")", null);
        if (n != buf.length) {
            throw new DmazoneException("short read of region " + index + " at " + Sizes.hex(offset) + ": " + n
                    + " of " + buf.length + " bytes");
        }
    }

    /** Writes {@code buf} to region {@code index} at {@code offset}. */
    public void write(int index, long offset, byte[] buf) {
        RegionInfo r = checkedRegion(index, offset, buf.length);
        long n = Sys.check(Natives.pwrite(fd, buf, 0, buf.length, r.offset() + offset),
                "pwrite(region " + index + " + " + Sizes.hex(offset) + ")", null);
        if (n != buf.length) {
            throw new DmazoneException("short write to region " + index + " at " + Sizes.hex(offset) + ": " + n
                    + " of " + buf.length + " bytes");
        }
    }

    /** Reads a little-endian 32-bit register. */
    public int read32(int index, long offset) {
        byte[] b = new byte[4];
        read(index, offset, b);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** Writes a little-endian 32-bit register. */
    public void write32(int index, long offset, int value) {
        write(index, offset, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    /** Reads a little-endian 16-bit value. */
    public int read16(int index, long offset) {
        byte[] b = new byte[2];
        read(index, offset, b);
        return Short.toUnsignedInt(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort());
    }

    /** Writes a little-endian 16-bit value. */
    public void write16(int index, long offset, int value) {
        write(index, offset, ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) value).array());
    }

    /** Sets memory-space and bus-master enable in the PCI command register, so the device can DMA. */
    public void enableBusMaster() {
        int cmd = read16(RegionInfo.CONFIG, PCI_COMMAND);
        write16(RegionInfo.CONFIG, PCI_COMMAND, cmd | PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
    }

    /** Maps region {@code index} into this process; unmapped when the device closes, or earlier by closing it. */
    public NativeMemory mmapRegion(int index) {
        RegionInfo r = region(index);
        if (!r.mappable()) {
            throw new DmazoneException("region " + index + " of " + address + " cannot be mmapped; use read/write");
        }
        long addr = Sys.check(Natives.mmap(r.size(), Natives.PROT_READ | Natives.PROT_WRITE, Natives.MAP_SHARED,
                fd, r.offset()), "mmap(region " + index + ", " + Sizes.format(r.size()) + ")", null);
        return mmaps.push(NativeMemory.deviceRegion(addr, r.size()));
    }

    /**
     * {@code VFIO_DEVICE_RESET}.
     *
     * @throws NativeCallException if the device has no reset method (see {@link DeviceInfo#resettable()})
     */
    public void reset() {
        ensureOpen();
        Sys.check(Natives.vfioDeviceReset(fd), "VFIO_DEVICE_RESET(" + address + ")",
                info.resettable() ? null : "the device has no reset method (no FLR or PM reset)");
    }

    private RegionInfo checkedRegion(int index, long offset, int len) {
        RegionInfo r = region(index);
        if (!r.contains(offset, len)) {
            throw new IndexOutOfBoundsException(len + " bytes at " + Sizes.hex(offset) + " lie outside region "
                    + index + " (" + Sizes.format(r.size()) + ")");
        }
        return r;
    }

    @Override
    protected String closedMessage() {
        return "device " + address + " is closed";
    }

    /** Unmaps mmapped regions and closes the fd. */
    @Override
    protected void release() {
        group.container().forget(this);
        RuntimeException first = null;
        try {
            mmaps.close();
        } catch (RuntimeException e) {
            first = e;
        }
        int r = Natives.close(fd);
        if (r < 0) {
            NativeCallException e = new NativeCallException("close(device " + address + ")", -r, null);
            first = Failures.keep(first, e);
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "VfioDevice[" + address + ", group " + group.number() + (isClosed() ? ", closed" : "") + "]";
    }
}
