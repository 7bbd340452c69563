package io.dmazone.guest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Adds devices to a running QEMU over QMP, or removes them, as a zone plan that adds its
 * devices once the guest's IOMMU is on asks ({@link io.dmazone.zone.ZonePlan#hotAddDevices()}):
 * {@code add} sends each {@code device_add} and reads QEMU's PCI tree back to confirm the device
 * is there; {@code del} sends {@code device_del} for the device each specification names (its
 * {@code id}) and waits for QEMU's DEVICE_DELETED, which comes once the guest has let the device
 * go (PCIe native hotplug: the guest powers the slot off). Prints one check per device. Gives
 * up, with status 1, when QEMU has not answered within {@link #DEADLINE_SECONDS}.
 * {@code java -cp <cp> io.dmazone.guest.QmpDevices add|del SOCKET SPEC...}
 */
public final class QmpDevices {
    /**
     * QEMU adds a device in well under a second; a removal waits for the guest, whose pciehp
     * waits 5 s after the button press, emulated twice over.
     */
    static final int DEADLINE_SECONDS = 240;

    private QmpDevices() {
    }

    public static void main(String[] args) {
        if (args.length < 3 || !List.of("add", "del").contains(args[0])) {
            System.err.println("usage: QmpDevices add|del SOCKET DRIVER,KEY=VALUE... (e.g. add /tmp/qmp.sock "
                    + "vfio-pci,host=0000:00:03.0,bus=dmazone-port0,id=dmazone-dev0)");
            System.exit(2);
        }
        boolean add = args[0].equals("add");
        CheckReport report = new CheckReport(System.out);
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(DEADLINE_SECONDS * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            report.check("qmp", false, "QEMU gave no answer within " + DEADLINE_SECONDS + " s on " + args[1]);
            Runtime.getRuntime().halt(report.end());
        });
        deadline.setDaemon(true);
        deadline.start();
        List<String> specs = Arrays.asList(args).subList(2, args.length);
        try (QmpConnection qmp = QmpConnection.open(Path.of(args[1]))) {
            for (String spec : specs) {
                Map<String, String> device = QmpConnection.deviceAddArguments(spec);
                String id = device.get("id");
                if (id == null) {
                    throw new IllegalArgumentException(spec + ": give the device an id=, by which it is found and removed");
                }
                String name = (add ? "device_add-" : "device_del-") + id;
                try {
                    if (add) {
                        qmp.execute("device_add", device);
                    } else {
                        qmp.execute("device_del", Map.of("id", id));
                        qmp.awaitEvent("DEVICE_DELETED", "\"device\": \"" + id + "\"");
                    }
                    // query-pci lists each device with its id, behind its bridge too
                    boolean listed = qmp.execute("query-pci", Map.of()).contains("\"qdev_id\": \"" + id + "\"");
                    report.check(name, listed == add, spec + (add ? " added" : " removed")
                            + (listed ? ", in query-pci" : ", not in query-pci"));
                } catch (QmpConnection.QmpException e) {
                    report.fail(name, e);
                }
            }
        } catch (IOException | RuntimeException e) {
            report.fail("qmp", e);
        }
        System.exit(report.end());
    }
}
