package io.dmazone.vm;

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
    EDU_64BIT("edu-64bit", "1234:11e8", List.of("-device", "edu,dma_mask=0xffffffffffffffff"));

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

    /** QEMU arguments that add the device (and its back end). */
    public List<String> qemuArgs() {
        return qemuArgs;
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
