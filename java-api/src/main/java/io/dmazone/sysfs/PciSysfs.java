package io.dmazone.sysfs;

import io.dmazone.DeviceNotBoundException;
import io.dmazone.DeviceNotFoundException;
import io.dmazone.SysfsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * PCI devices and IOMMU groups as sysfs shows them, and binding a device to vfio-pci.
 *
 * <p>{@link #system()} reads the real {@code /sys} and {@code /dev}; tests point it at a
 * fake tree with {@link #PciSysfs(Path, Path, Duration)}.
 */
public final class PciSysfs {
    /** The vfio-pci driver's name. */
    public static final String VFIO_PCI = "vfio-pci";

    private final Path sys;
    private final Path dev;
    private final Duration settle;

    /**
     * @param sysRoot the sysfs mount ({@code /sys})
     * @param devRoot the device node folder ({@code /dev})
     * @param settle  how long to wait for the kernel to (un)bind a driver or create
     *                {@code /dev/vfio/N}; zero to not wait or check (fake trees)
     */
    public PciSysfs(Path sysRoot, Path devRoot, Duration settle) {
        this.sys = Objects.requireNonNull(sysRoot, "sysRoot");
        this.dev = Objects.requireNonNull(devRoot, "devRoot");
        this.settle = Objects.requireNonNull(settle, "settle");
    }

    /** The running system: {@code /sys}, {@code /dev}, waiting up to 5 s for the kernel. */
    public static PciSysfs system() {
        return new PciSysfs(Path.of("/sys"), Path.of("/dev"), Duration.ofSeconds(5));
    }

    Path devicesDir() {
        return sys.resolve("bus/pci/devices");
    }

    Path deviceDir(PciAddress a) {
        return devicesDir().resolve(a.toString());
    }

    /** The device node of a VFIO group: {@code /dev/vfio/<group>}. */
    public Path groupNode(int group) {
        return dev.resolve("vfio").resolve(Integer.toString(group));
    }

    /** The VFIO container node {@code /dev/vfio/vfio}. */
    public Path containerNode() {
        return dev.resolve("vfio/vfio");
    }

    Duration settle() {
        return settle;
    }

    /** All PCI devices, sorted by address. */
    public List<PciDevice> devices() {
        List<PciDevice> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(devicesDir())) {
            for (Path p : (Iterable<Path>) s::iterator) {
                PciAddress a;
                try {
                    a = PciAddress.parse(p.getFileName().toString());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                device(a).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new SysfsException(devicesDir(), "cannot list " + devicesDir() + ": " + e
                    + "; is sysfs mounted?", e);
        }
        out.sort((x, y) -> x.address().compareTo(y.address()));
        return out;
    }

    /** The device at {@code address}, if present. */
    public Optional<PciDevice> device(PciAddress address) {
        Path d = deviceDir(address);
        if (!Files.isDirectory(d)) {
            return Optional.empty();
        }
        return Optional.of(new PciDevice(address, hexAttr(d, "vendor"), hexAttr(d, "device"),
                hexAttr(d, "class"), linkName(d.resolve("driver")), group(d)));
    }

    /**
     * The device at {@code address}.
     *
     * @throws DeviceNotFoundException saying how to list devices
     */
    public PciDevice require(PciAddress address) {
        return device(address).orElseThrow(() -> new DeviceNotFoundException(address.toString(),
                "no PCI device " + address + " (not in " + devicesDir() + "); check the address with lspci -D"));
    }

    /** Devices with the given vendor and device ids, e.g. {@code 0x1234, 0x11e8} for QEMU's edu. */
    public List<PciDevice> findByIds(int vendorId, int deviceId) {
        return devices().stream().filter(d -> d.vendorId() == vendorId && d.deviceId() == deviceId).toList();
    }

    /** The IOMMU group {@code number} with its devices. */
    public IommuGroup iommuGroup(int number) {
        Path g = sys.resolve("kernel/iommu_groups").resolve(Integer.toString(number)).resolve("devices");
        List<PciDevice> devs = new ArrayList<>();
        try (Stream<Path> s = Files.list(g)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    device(PciAddress.parse(p.getFileName().toString())).ifPresent(devs::add);
                } catch (IllegalArgumentException e) {
                    // not a PCI device (platform devices can share groups); skip
                }
            }
        } catch (NoSuchFileException e) {
            throw new SysfsException(g, "no IOMMU group " + number + " (" + g + " missing); is the IOMMU on "
                    + "(intel_iommu=on) and is the number right? See /sys/kernel/iommu_groups", e);
        } catch (IOException e) {
            throw new SysfsException(g, "cannot list " + g + ": " + e, e);
        }
        devs.sort((x, y) -> x.address().compareTo(y.address()));
        return new IommuGroup(number, devs);
    }

    /**
     * Binds the device to vfio-pci through {@code driver_override}; closing the returned
     * binding gives it back to its previous driver. If it is already bound to vfio-pci,
     * the binding changes nothing on close.
     *
     * @throws DeviceNotFoundException if there is no such device
     * @throws SysfsException          if a write fails or vfio-pci does not take the device
     */
    public VfioPciBinding bindToVfioPci(PciAddress address) {
        return VfioPciBinding.bind(this, require(address));
    }

    /**
     * Takes a device off vfio-pci for good (what {@code driverctl unset-override} does):
     * unbinds it, clears {@code driver_override} and has the kernel probe it again, so the
     * host driver that matches it takes it, if there is one.
     *
     * @return the device afterwards
     * @throws DeviceNotFoundException if there is no such device
     * @throws DeviceNotBoundException if it is not bound to vfio-pci (nothing is changed)
     * @throws SysfsException          if a write fails or the device stays on vfio-pci
     */
    public PciDevice releaseFromVfioPci(PciAddress address) {
        PciDevice d = require(address);
        if (!d.boundToVfioPci()) {
            throw new DeviceNotBoundException(address.toString(), d.driver().orElse(null));
        }
        write(unbindFile(address), address.toString());
        write(driverOverride(address), "\n");
        write(driversProbe(), address.toString());
        if (!settle.isZero()) {
            // A matching host driver binds asynchronously, and there may be none: wait for one
            // for the settle time, then take the device as it is.
            long deadline = System.nanoTime() + settle.toNanos();
            Optional<String> driver = linkName(deviceDir(address).resolve("driver"));
            while ((driver.isEmpty() || driver.get().equals(VFIO_PCI)) && System.nanoTime() < deadline) {
                sleep();
                driver = linkName(deviceDir(address).resolve("driver"));
            }
        }
        PciDevice after = require(address);
        if (after.boundToVfioPci()) {
            throw new SysfsException(deviceDir(address), address + " is still bound to vfio-pci after unbind; "
                    + "is a process holding /dev/vfio/" + after.iommuGroup().orElse(-1) + " open (a running QEMU)?", null);
        }
        return after;
    }

    void write(Path file, String value) {
        try {
            Files.writeString(file, value, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new SysfsException(file, "writing \"" + value.strip() + "\" to " + file + " failed: " + e.getMessage()
                    + "; are you root, and is the module loaded?", e);
        }
    }

    Path driverOverride(PciAddress a) {
        return deviceDir(a).resolve("driver_override");
    }

    Path unbindFile(PciAddress a) {
        return deviceDir(a).resolve("driver/unbind");
    }

    Path driversProbe() {
        return sys.resolve("bus/pci/drivers_probe");
    }

    /** Waits until the device's driver is {@code expected} (empty: none); false on timeout. */
    boolean awaitDriver(PciAddress a, Optional<String> expected) {
        long deadline = System.nanoTime() + settle.toNanos();
        do {
            if (linkName(deviceDir(a).resolve("driver")).equals(expected)) {
                return true;
            }
            sleep();
        } while (System.nanoTime() < deadline);
        return linkName(deviceDir(a).resolve("driver")).equals(expected);
    }

    boolean awaitNode(Path node) {
        long deadline = System.nanoTime() + settle.toNanos();
        while (!Files.exists(node) && System.nanoTime() < deadline) {
            sleep();
        }
        return Files.exists(node);
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int hexAttr(Path dir, String name) {
        Path f = dir.resolve(name);
        try {
            String s = Files.readString(f).strip();
            return Integer.parseUnsignedInt(s.startsWith("0x") ? s.substring(2) : s, 16);
        } catch (IOException | NumberFormatException e) {
            throw new SysfsException(f, "cannot read " + f + ": " + e, e);
        }
    }

    private static Optional<String> linkName(Path link) {
        try {
            return Optional.of(Files.readSymbolicLink(link).getFileName().toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static OptionalInt group(Path dir) {
        return linkName(dir.resolve("iommu_group")).map(n -> OptionalInt.of(Integer.parseInt(n)))
                .orElse(OptionalInt.empty());
    }
}
