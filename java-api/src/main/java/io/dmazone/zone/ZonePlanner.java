package io.dmazone.zone;

import io.dmazone.Sizes;
import io.dmazone.sysfs.PciAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns a {@link ZoneSpec} and a guest size into a {@link ZonePlan}.
 *
 * <pre>{@code
 * ZonePlan plan = ZonePlanner.forZone(ZoneSpec.parse("64M@0x40000000"), 2 * Sizes.GIB)
 *         .viommu(VIommu.VIRTIO_IOMMU)
 *         .device(PciAddress.parse("0000:00:09.0"))
 *         .plan();
 * }</pre>
 *
 * <p>Memory layout: QEMU q35 puts guest RAM below 4 GiB up to 2 GiB when the guest has at
 * least 2.75 GiB, else all of it; the rest starts at 4 GiB. A reserved zone must lie inside
 * RAM; a page-built zone ({@link ZoneSpec#pageBuilt(long)}) only has to leave the guest
 * {@link #MIN_GUEST_FREE}. Every device in the plan gets the whole zone.
 */
public final class ZonePlanner {
    /** Extra pinned memory beyond guest RAM when QEMU maps all of it: ROMs and VGA RAM (measured 16.25 MiB on q35). */
    public static final long FIRMWARE_SLACK = 64 * Sizes.MIB;
    /** Guest RAM to leave outside the zone for the guest kernel itself. */
    public static final long MIN_GUEST_FREE = 128 * Sizes.MIB;
    /** vfio_iommu_type1's default {@code dma_entry_limit}. */
    public static final long DEFAULT_DMA_ENTRY_LIMIT = 65535;

    /** The ids of the root ports and devices of a plan that adds its devices later: port0, dev0, ... */
    static final String HOT_ADD_PORT = "dmazone-port";
    static final String HOT_ADD_DEVICE = "dmazone-dev";

    private static final long FOUR_GIB = 4 * Sizes.GIB;
    private static final long Q35_LOWMEM_SPLIT = 0xb0000000L;
    private static final long Q35_LOWMEM = 0x80000000L;

    private final ZoneSpec zone;
    private final long guestRam;
    private VIommu viommu = VIommu.INTEL_IOMMU;
    private final Set<PciAddress> devices = new LinkedHashSet<>();
    private boolean kvm;
    private boolean hotAdd;

    private ZonePlanner(ZoneSpec zone, long guestRam) {
        this.zone = Objects.requireNonNull(zone, "zone");
        if (guestRam <= 0 || guestRam % Sizes.MIB != 0) {
            throw new IllegalArgumentException("guest RAM " + guestRam + " must be a positive whole number of MiB");
        }
        this.guestRam = guestRam;
    }

    /** Starts a plan for a zone in a guest of {@code guestRamBytes}. */
    public static ZonePlanner forZone(ZoneSpec zone, long guestRamBytes) {
        return new ZonePlanner(zone, guestRamBytes);
    }

    /** The vIOMMU (default {@link VIommu#INTEL_IOMMU}). */
    public ZonePlanner viommu(VIommu v) {
        this.viommu = Objects.requireNonNull(v, "viommu");
        return this;
    }

    /** Adds a host device to pass through with vfio-pci. */
    public ZonePlanner device(PciAddress address) {
        if (!devices.add(Objects.requireNonNull(address, "address"))) {
            throw new IllegalArgumentException(address + " is already in the plan; pass each device once");
        }
        return this;
    }

    /**
     * Adds the devices once the guest's IOMMU is on instead of at QEMU's start: QEMU starts with
     * an empty PCIe root port per device ({@link ZonePlan#qemuArgs()}), and the caller adds each
     * of {@link ZonePlan#hotAddDevices()} with QMP's {@code device_add} once the guest kernel has
     * turned its IOMMU on. A device added then is translated from its first mapping, so QEMU
     * never pins all guest RAM for it: with intel-iommu the startup peak is gone and the
     * RLIMIT_MEMLOCK is the zone. The guest kernel needs native PCIe hotplug
     * (CONFIG_HOTPLUG_PCI_PCIE): QEMU's ACPI hotplug of root ports is turned off, and the guest
     * takes the ports' native services with {@code pcie_ports=native} whatever the firmware's
     * _OSC says. Boot firmware that sets up MMCONFIG (SeaBIOS, OVMF; not qboot): without it the
     * guest cannot read the root port's ACS capability, puts the device in one IOMMU group with
     * its port, and a driver cannot give it a domain of its own.
     *
     * <p>Remove the devices (QMP {@code device_del}, which the guest acknowledges) before the
     * guest shuts down: a guest that turns its IOMMU off at shutdown, as Linux does with
     * intel-iommu, makes QEMU map all its RAM for each device still there, which fails under a
     * budget of the zone.
     */
    public ZonePlanner hotAdd() {
        this.hotAdd = true;
        return this;
    }

    /** Whether QEMU runs with KVM (adds {@code kernel-irqchip=split} for intel-iommu's interrupt remapping). */
    public ZonePlanner kvm(boolean kvm) {
        this.kvm = kvm;
        return this;
    }

    /** The RAM ranges of a q35 guest of this size, as {@code [start, end)} pairs. */
    static long[][] q35Ram(long ram) {
        if (ram >= Q35_LOWMEM_SPLIT) {
            return new long[][] {{0, Q35_LOWMEM}, {FOUR_GIB, FOUR_GIB + ram - Q35_LOWMEM}};
        }
        return new long[][] {{0, ram}};
    }

    /**
     * Builds the plan.
     *
     * @throws IllegalArgumentException if the zone does not fit the guest's RAM or no device was given
     */
    public ZonePlan plan() {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("a zone plan needs at least one device to pass through; add it with device(...)");
        }
        if (!zone.isPageBuilt()) {
            requireInsideRam();
        }
        if (guestRam - zone.size() < MIN_GUEST_FREE) {
            throw new IllegalArgumentException("a " + Sizes.format(zone.size()) + " zone leaves the " + Sizes.format(guestRam)
                    + " guest less than " + Sizes.format(MIN_GUEST_FREE) + " for itself; give it more memory or shrink the zone");
        }
        if (hotAdd && viommu == VIommu.NONE) {
            throw new IllegalArgumentException("adding the devices later needs a vIOMMU: without one QEMU pins all "
                    + "guest RAM when a device is added; choose intel-iommu or virtio-iommu, or drop hotAdd()");
        }
        int n = devices.size();
        List<String> args = new ArrayList<>();
        args.add("-machine");
        args.add(kvm && viommu == VIommu.INTEL_IOMMU ? "q35,kernel-irqchip=split" : "q35");
        args.add("-m");
        args.add(guestRam / Sizes.MIB + "M");
        args.addAll(viommu.qemuArgs());
        List<String> hotAddDevices = new ArrayList<>();
        if (hotAdd) {
            // pciehp in the guest, not ACPI hotplug, drives the root ports
            args.add("-global");
            args.add("ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off");
        }
        int i = 0;
        for (PciAddress a : devices) {
            args.add("-device");
            if (hotAdd) {
                args.add(String.format("pcie-root-port,id=%s%d,chassis=%d", HOT_ADD_PORT, i, i + 1));
                hotAddDevices.add(String.format("vfio-pci,host=%s,bus=%s%d,id=%s%d", a, HOT_ADD_PORT, i,
                        HOT_ADD_DEVICE, i));
            } else {
                args.add("vfio-pci,host=" + a);
            }
            i++;
        }
        List<String> cmdline = new ArrayList<>();
        if (!zone.isPageBuilt()) {
            cmdline.add(zone.memmapParameter());
            cmdline.add("dmazone.base=" + Sizes.hex(zone.guestPhysBase()));
        }
        cmdline.add("dmazone.size=" + Sizes.hex(zone.size()));
        cmdline.addAll(viommu.kernelParams());
        if (hotAdd) {
            cmdline.add("pcie_ports=native");
        }

        long startup = hotAdd ? 0 : startupPinnedBytes(viommu, guestRam, n);
        long steady = viommu == VIommu.NONE ? startup : Math.multiplyExact(zone.size(), (long) n);
        long memlock = Math.max(startup, steady);
        List<String> notes = new ArrayList<>();
        if (viommu.needsQboot()) {
            notes.add("boot the guest with qboot (-bios /usr/share/qemu/qboot.rom): SeaBIOS stalls when boot-bypass is off");
            notes.add("load virtio_iommu in the guest before the device's driver, so the device gets its IOMMU group");
        }
        if (hotAdd) {
            notes.add("start QEMU with a QMP socket and add the devices (hotAddDevices, one device_add each) once the "
                    + "guest's kernel has turned its IOMMU on; the guest needs CONFIG_HOTPLUG_PCI_PCIE, and firmware "
                    + "that sets up MMCONFIG (SeaBIOS or OVMF, not qboot) so the device gets an IOMMU group of its own");
            notes.add("device_del the devices before the guest shuts down: a guest that turns its IOMMU off makes "
                    + "QEMU map all its RAM for each device still there");
        }
        if (startup > 0) {
            notes.add("QEMU pins " + Sizes.format(startup) + " as it starts: the limit must be in place before QEMU "
                    + "starts (dmazone launch does that)");
        }
        if (viommu != VIommu.NONE && zone.size() / Sizes.PAGE_SIZE > DEFAULT_DMA_ENTRY_LIMIT) {
            notes.add("if the guest maps the zone in 4 KiB pages, each becomes one host MAP_DMA: run "
                    + "modprobe vfio_iommu_type1 dma_entry_limit=" + (zone.size() / Sizes.PAGE_SIZE + 1024) + " on the host");
        }
        if (zone.isPageBuilt()) {
            notes.add("the guest builds the zone when dmazone.ko loads (boot parameters as above, or modprobe dmazone "
                    + "size=" + Sizes.hex(zone.size()) + "): load it early, while free memory still has 2 MiB chunks");
        }
        return new ZonePlan(zone, guestRam, viommu, List.copyOf(devices), args, hotAddDevices, cmdline, memlock, startup,
                steady, notes);
    }

    /**
     * What QEMU pins as it starts, before the guest runs, for a guest of {@code guestRamBytes}
     * with {@code devices} devices passed through behind {@code viommu}.
     *
     * @throws ArithmeticException if the figure overflows 64 bits
     */
    public static long startupPinnedBytes(VIommu viommu, long guestRamBytes, int devices) {
        long allRam = Math.addExact(guestRamBytes, FIRMWARE_SLACK);
        switch (viommu) {
            case NONE:
                // One container shared by all devices maps all RAM once, and keeps it.
                return allRam;
            case INTEL_IOMMU:
            case VIRTIO_IOMMU_BOOT_BYPASS:
                // Each device gets its own address space and container; until the guest enables
                // DMAR (or attaches the device to a domain) each container maps all RAM, and
                // locked_vm counts per container.
                return Math.multiplyExact(allRam, (long) devices);
            case VIRTIO_IOMMU:
                return 0;
            default:
                throw new AssertionError(viommu);
        }
    }

    private void requireInsideRam() {
        long[][] ram = q35Ram(guestRam);
        boolean inside = false;
        StringBuilder layout = new StringBuilder();
        for (long[] r : ram) {
            inside |= zone.guestPhysBase() >= r[0] && zone.end() <= r[1];
            layout.append(layout.length() == 0 ? "" : ", ").append('[').append(Sizes.hex(r[0])).append('-')
                    .append(Sizes.hex(r[1])).append(')');
        }
        if (!inside) {
            throw new IllegalArgumentException(zone + " is not inside the guest RAM of a " + Sizes.format(guestRam)
                    + " q35 guest, which is " + layout + "; move the zone into one range or give the guest more memory");
        }
    }
}
