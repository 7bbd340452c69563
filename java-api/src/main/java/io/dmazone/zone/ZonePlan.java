package io.dmazone.zone;

import io.dmazone.Sizes;
import io.dmazone.memory.MemlockLimit;
import io.dmazone.memory.ResourceLimits;
import io.dmazone.sysfs.PciAddress;
import java.util.List;
import java.util.Objects;

/**
 * What running a guest with a DMA zone takes: QEMU arguments, the guest kernel command
 * line, and the RLIMIT_MEMLOCK the QEMU process needs. Made by {@link ZonePlanner}.
 *
 * @param zone               the zone
 * @param guestRamBytes      guest RAM
 * @param viommu             the vIOMMU
 * @param devices            host devices passed through (bound to vfio-pci)
 * @param qemuArgs           QEMU arguments (machine, memory, vIOMMU, vfio-pci devices, or for
 *                           devices added later their PCIe root ports); add the kernel, initrd,
 *                           console and {@code -append} yourself
 * @param hotAddDevices      the devices to add over QMP once the guest's IOMMU is on, each a
 *                           {@code device_add} specification ({@code vfio-pci,host=...,bus=...,id=...}),
 *                           in order; empty when QEMU starts with them ({@link ZonePlanner#hotAdd()})
 * @param kernelCmdline      guest kernel parameters (memmap reservation, dmazone, IOMMU)
 * @param memlockBytes       RLIMIT_MEMLOCK QEMU needs: the peak it will pin
 * @param startupPinnedBytes what QEMU pins as soon as it starts (before the guest runs)
 * @param steadyPinnedBytes  what stays pinned once the guest has set up its zone
 * @param notes              host-side requirements and caveats, one sentence each
 */
public record ZonePlan(ZoneSpec zone, long guestRamBytes, VIommu viommu, List<PciAddress> devices,
                       List<String> qemuArgs, List<String> hotAddDevices, List<String> kernelCmdline,
                       long memlockBytes, long startupPinnedBytes, long steadyPinnedBytes, List<String> notes) {
    /** Validates and copies. */
    public ZonePlan {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(viommu, "viommu");
        devices = List.copyOf(devices);
        qemuArgs = List.copyOf(qemuArgs);
        hotAddDevices = List.copyOf(hotAddDevices);
        kernelCmdline = List.copyOf(kernelCmdline);
        notes = List.copyOf(notes);
        if (memlockBytes <= 0 || startupPinnedBytes < 0 || steadyPinnedBytes < 0
                || startupPinnedBytes > memlockBytes || steadyPinnedBytes > memlockBytes) {
            throw new IllegalArgumentException("memlock " + memlockBytes + " must be positive and cover the startup ("
                    + startupPinnedBytes + ") and steady (" + steadyPinnedBytes + ") pinned sizes");
        }
    }

    /**
     * Checks the plan against a host's pin budget for this guest (the RLIMIT_MEMLOCK its QEMU
     * gets, without CAP_IPC_LOCK), before QEMU starts: a QEMU that pins more than that at
     * startup fails midway, and one whose zone exceeds it cannot map the zone.
     *
     * @throws IllegalArgumentException naming what exceeds the budget and what to do instead
     */
    public void requireWithin(long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("memlock budget: " + budgetBytes + " must be positive");
        }
        if (startupPinnedBytes > budgetBytes) {
            throw new IllegalArgumentException("memlock budget: with " + viommu.label() + " QEMU pins "
                    + Sizes.format(startupPinnedBytes) + " as it starts (all guest RAM"
                    + (viommu == VIommu.NONE ? ", for good" : " for each device, until the guest's IOMMU is on")
                    + "), above the budget of " + Sizes.format(budgetBytes)
                    + "; use virtio-iommu (boot-bypass off), add the devices once the guest's IOMMU is on "
                    + "(ZonePlanner.hotAdd()), "
                    + "or raise the budget to " + Sizes.format(startupPinnedBytes));
        }
        if (steadyPinnedBytes > budgetBytes) {
            throw new IllegalArgumentException("memlock budget: the zone for " + devices.size() + " device(s) pins "
                    + Sizes.format(steadyPinnedBytes) + ", above the budget of " + Sizes.format(budgetBytes)
                    + "; shrink the zone or raise the budget to " + Sizes.format(steadyPinnedBytes));
        }
    }

    /** The kernel command line as one string for {@code -append}. */
    public String kernelCmdlineString() {
        return String.join(" ", kernelCmdline);
    }

    /** The RLIMIT_MEMLOCK to give QEMU (soft = hard). */
    public MemlockLimit memlockLimit() {
        return MemlockLimit.of(memlockBytes);
    }

    /**
     * Sets the QEMU process's RLIMIT_MEMLOCK to {@link #memlockLimit()} with {@code prlimit(2)};
     * returns the previous limit. Needs root (CAP_SYS_RESOURCE) to raise a hard limit.
     *
     * <p>Applied after QEMU started, this only covers pins made later: when
     * {@link #startupPinnedBytes()} is not 0 ({@link VIommu#INTEL_IOMMU}, {@link VIommu#NONE}),
     * QEMU pins at startup, so give the limit before it starts (raise this process's limit,
     * which the child inherits, or start QEMU under {@code prlimit --memlock=N:N}).
     */
    public MemlockLimit apply(long qemuPid) {
        return ResourceLimits.setMemlock(qemuPid, memlockLimit());
    }

    /** {@link #apply(long)} for a child process. */
    public MemlockLimit applyTo(Process qemu) {
        return apply(qemu.pid());
    }

    @Override
    public String toString() {
        return "ZonePlan[" + zone + ", guest " + Sizes.format(guestRamBytes) + ", " + viommu + ", devices " + devices
                + ", memlock " + Sizes.format(memlockBytes) + "]";
    }
}
