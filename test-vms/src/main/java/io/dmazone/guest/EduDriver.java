package io.dmazone.guest;

import io.dmazone.DmazoneException;
import io.dmazone.vfio.RegionInfo;
import io.dmazone.vfio.VfioDevice;

/**
 * A userspace driver for QEMU's {@code edu} device (1234:11e8) over a {@link VfioDevice}:
 * BAR0 registers through the device fd, DMA between guest RAM (an IOVA) and the device's
 * 4 KiB buffer at 0x40000. The register map is kmod/include/edu_regs.h ({@link EduRegisters}).
 *
 * <p>For QEMU emulation only: edu clamps DMA addresses to its dma_mask (28 bits unless
 * started with {@code dma_mask=0xffffffffffffffff}), and completes a transfer on a 100 ms
 * timer; writes to the command register are ignored while a transfer runs.
 */
public final class EduDriver {
    /** QEMU's PCI vendor id. */
    public static final int VENDOR = (int) EduRegisters.value("EDU_VENDOR");
    /** edu's device id. */
    public static final int DEVICE = (int) EduRegisters.value("EDU_DEVICE");
    /** Identification register: 0x010000ed (major 1, minor 0). */
    public static final int REG_ID = (int) EduRegisters.value("EDU_REG_ID");
    /** Liveness check: reads back the bitwise inverse of what was written. */
    public static final int REG_LIVENESS = (int) EduRegisters.value("EDU_REG_LIVENESS");
    /** DMA source address. */
    public static final int REG_DMA_SRC = (int) EduRegisters.value("EDU_REG_DMA_SRC");
    /** DMA destination address. */
    public static final int REG_DMA_DST = (int) EduRegisters.value("EDU_REG_DMA_DST");
    /** DMA transfer count. */
    public static final int REG_DMA_CNT = (int) EduRegisters.value("EDU_REG_DMA_CNT");
    /** DMA command: bit 0 start/busy, bit 1 direction (1: edu to RAM), bit 2 raise IRQ. */
    public static final int REG_DMA_CMD = (int) EduRegisters.value("EDU_REG_DMA_CMD");
    /** The device's DMA buffer, as an address in the device's own space. */
    public static final long EDU_BUFFER = EduRegisters.value("EDU_BUF_ADDR");
    /** Size of the device's DMA buffer. */
    public static final int EDU_BUFFER_SIZE = (int) EduRegisters.value("EDU_BUF_SIZE");

    private static final int CMD_START = (int) EduRegisters.value("EDU_CMD_START");
    private static final int CMD_TO_RAM = (int) EduRegisters.value("EDU_CMD_TO_RAM");

    private final VfioDevice device;

    /** Takes the device and enables bus mastering so it can DMA. */
    public EduDriver(VfioDevice device) {
        this.device = device;
        device.enableBusMaster();
    }

    /** The identification register. */
    public int id() {
        return device.read32(RegionInfo.BAR0, REG_ID);
    }

    /** Writes {@code v} to the liveness register and returns what it reads back (~v). */
    public int liveness(int v) {
        device.write32(RegionInfo.BAR0, REG_LIVENESS, v);
        return device.read32(RegionInfo.BAR0, REG_LIVENESS);
    }

    /** DMA {@code count} bytes from RAM at {@code iova} into the device buffer; waits for completion. */
    public void ramToDevice(long iova, int count) {
        transfer(iova, EDU_BUFFER, count, CMD_START);
    }

    /** DMA {@code count} bytes from the device buffer to RAM at {@code iova}; waits for completion. */
    public void deviceToRam(long iova, int count) {
        transfer(EDU_BUFFER, iova, count, CMD_START | CMD_TO_RAM);
    }

    private void transfer(long src, long dst, int count, int cmd) {
        if (count <= 0 || count > EDU_BUFFER_SIZE) {
            throw new IllegalArgumentException("edu moves 1.." + EDU_BUFFER_SIZE + " bytes per transfer, not " + count);
        }
        if ((src >>> 32) != 0 || (dst >>> 32) != 0) {
            throw new IllegalArgumentException("this driver writes the address registers 32 bits wide; keep IOVAs below 4 GiB");
        }
        awaitIdle();
        device.write32(RegionInfo.BAR0, REG_DMA_SRC, (int) src);
        device.write32(RegionInfo.BAR0, REG_DMA_DST, (int) dst);
        device.write32(RegionInfo.BAR0, REG_DMA_CNT, count);
        device.write32(RegionInfo.BAR0, REG_DMA_CMD, cmd);
        awaitIdle();
    }

    private void awaitIdle() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((device.read32(RegionInfo.BAR0, REG_DMA_CMD) & CMD_START) != 0) {
            if (System.nanoTime() > deadline) {
                throw new DmazoneException("edu DMA did not complete within 10 s (command register still busy)");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DmazoneException("interrupted waiting for edu DMA", e);
            }
        }
    }
}
