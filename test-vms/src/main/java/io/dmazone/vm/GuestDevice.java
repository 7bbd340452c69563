package io.dmazone.vm;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The extra PCI devices a test VM can have, with the PCI ids the guest sees. */
public enum GuestDevice {
    /** Intel 82574L NIC, QEMU's q35 NIC; its back end is a restricted user netdev that reaches nothing. */
    E1000E("e1000e", "8086:10d3",
            List.of("-netdev", "user,id=dmz_e1000e,restrict=on", "-device", "e1000e,netdev=dmz_e1000e")),
    /**
     * Intel 82574L NIC on a QEMU hub whose only other port is a virtio-net NIC of the
     * same VM: pass the e1000e through to a nested guest and the two talk, with no
     * traffic leaving the VM.
     */
    E1000E_HUB("e1000e-hub", "8086:10d3",
            List.of("-netdev", "hubport,id=dmz_hub_e1000e,hubid=0", "-device", "e1000e,netdev=dmz_hub_e1000e",
                    "-netdev", "hubport,id=dmz_hub_peer,hubid=0", "-device", "virtio-net-pci,netdev=dmz_hub_peer")),
    /** QEMU's edu DMA test device with its default 28-bit DMA mask. */
    EDU("edu", "1234:11e8", List.of("-device", "edu")),
    /** QEMU's edu DMA test device allowed to DMA anywhere in 64-bit space. */
    EDU_64BIT("edu-64bit", "1234:11e8", List.of("-device", "edu,dma_mask=0xffffffffffffffff")),
    /**
     * QEMU's emulated NVMe controller (1b36:0010), its namespace a sparse raw image of
     * {@value #NVME_IMAGE_MIB} MiB in the VM's run directory ({@link #NVME_IMAGE}), made before
     * the VM boots and kept after it, so that what the guest wrote can be read back outside.
     */
    NVME("nvme", "1b36:0010", List.of("-device", "nvme,serial=dmazone,drive=dmz_nvme"));

    /** The NVMe namespace's image, in the VM's run directory. */
    public static final String NVME_IMAGE = "nvme.img";
    /** The NVMe namespace's size: room for the NVMe runs' 256 MiB round trip, its copy and the exhaustion part. */
    public static final int NVME_IMAGE_MIB = 640;

    private final String label;
    private final String pciId;
    private final List<String> qemuArgs;

    GuestDevice(String label, String pciId, List<String> qemuArgs) {
        this.label = label;
        this.pciId = pciId;
        this.qemuArgs = qemuArgs;
    }

    /** The name used in specs and reports. */
    public String label() {
        return label;
    }

    /** vendor:device as lspci prints it, e.g. {@code 8086:10d3}. */
    public String pciId() {
        return pciId;
    }

    /**
     * Kernel arguments for a VM that only hands the device on (L1 binds it to vfio-pci for L2):
     * for the NVMe, its driver kept off, so that L1 does not scan the namespace first (2 of 14
     * L1 boots of the NVMe runs on one day hung there, "waiting for udev to settle" right after
     * nvme found the namespace, until the boot watchdog killed them). Nothing for the others.
     */
    public List<String> handOnKernelArgs() {
        return this == NVME ? List.of("modprobe.blacklist=nvme") : List.of();
    }

    /** QEMU arguments that add the device (and its back end) to a VM run in {@code runDirectory}. */
    public List<String> qemuArgs(Path runDirectory) {
        if (this != NVME) {
            return qemuArgs;
        }
        List<String> args = new ArrayList<>(List.of("-drive", "if=none,id=dmz_nvme,format=raw,file="
                + runDirectory.toAbsolutePath().resolve(NVME_IMAGE).toString().replace(",", ",,")));
        args.addAll(qemuArgs);
        return args;
    }

    /**
     * Makes what the device needs in {@code runDirectory} before the VM boots: the NVMe's
     * sparse image (zeros; left as it is when a boot is retried). Nothing for the others.
     */
    public void prepare(Path runDirectory) {
        if (this != NVME) {
            return;
        }
        Path image = runDirectory.resolve(NVME_IMAGE);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            if (file.length() == 0) {
                file.setLength((long) NVME_IMAGE_MIB << 20);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the NVMe image " + image, e);
        }
    }

    /**
     * The device with this label.
     *
     * @throws IllegalArgumentException naming the field and the known devices
     */
    public static GuestDevice parse(String label) {
        String wanted = label == null ? "" : label.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(d -> d.label.equals(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("devices: unknown device '" + label
                        + "'; use one of " + Arrays.stream(values()).map(GuestDevice::label)
                                .collect(Collectors.joining(", "))));
    }
}
