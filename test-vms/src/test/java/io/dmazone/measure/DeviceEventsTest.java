package io.dmazone.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device events of a mode's traffic: L1's count of the passed-through NIC's interrupts
 * (l1-lib.sh's device_irqs, run by bash on a /proc/interrupts of L1's kind), and their medians
 * per KiB with the drivers' register accesses, in the report and its table.
 */
class DeviceEventsTest {
    /** An L1's /proc/interrupts with two devices passed through and L1's own virtio NIC. */
    private static final String INTERRUPTS = """
                       CPU0       CPU1
              24:        100         23  IR-PCI-MSIX-0000:00:0a.0    0-edge      vfio-msix[0](0000:00:0a.0)
              25:          5          0  IR-PCI-MSIX-0000:00:0a.0    1-edge      vfio-msix[1](0000:00:0a.0)
              26:          7          0  IR-PCI-MSIX-0000:00:0b.0    0-edge      vfio-msix[0](0000:00:0b.0)
              27:         50         50  IR-PCI-MSI-0000:00:03.0    0-edge      virtio0-input.0
              28:          9          1  IR-IO-APIC   11-fasteoi   vfio-intx(0000:00:0c.0)
              29:       1000          0  IR-PCI-MSI-0000:00:0d.0    0-edge      owner(0000:00:0d.0)
             NMI:          0          0   Non-maskable interrupts
            """;

    @TempDir
    Path dir;

    @Test
    void l1CountsTheVfioInterruptsOfTheNamedDevicesOnly() throws Exception {
        Files.writeString(dir.resolve("interrupts"), INTERRUPTS);
        String out = L1Shell.run(dir, """
                device_irqs 0000:00:0a.0 <interrupts
                device_irqs 0000:00:0a.0 0000:00:0b.0 0000:00:0c.0 <interrupts
                device_irqs 0000:00:03.0 <interrupts
                device_irqs 0000:00:0d.0 <interrupts
                device_irqs <interrupts
                """);
        assertThat(out.lines().filter(l -> !l.startsWith("KTAP")).toList()).as("one NIC's two vectors; all three "
                + "devices, INTx too; L1's own NIC and a device a driver of L1's holds are not vfio's; no device")
                .containsExactly("128", "145", "0", "0", "0");
    }

    @Test
    void eachWayHasItsMedianPerKiBAndTheTableShowsThem() {
        IperfRun kib = new IperfRun(1024 * 100, 1, 819200, 0);
        InsnCounts mmio = new InsnCounts(Map.of("kernel", 1000L), 150L, 50L);
        List<TrafficRound> rounds = List.of(
                new TrafficRound(kib, kib, 1, 1, null, null, 100L, 300L),
                new TrafficRound(kib, kib, 1, 1, null, null, 200L, 500L),
                new TrafficRound(kib, kib, 1, 1, mmio, null, 400L, 400L));
        ModeMeasurement m = new ModeMeasurement(MatrixMode.FULL_PINNING, 0, 1, 1, rounds, 0L, 0L, 0L, 90, List.of(),
                null);

        DeviceEventsPerKiB e = DeviceEventsPerKiB.of(m).orElseThrow();
        assertThat(e.l2RxInterruptsPerKiB()).as("median of 1, 2 and 4 per KiB").isCloseTo(2.0, within(1e-12));
        assertThat(e.l2TxInterruptsPerKiB()).isCloseTo(4.0, within(1e-12));
        assertThat(e.l2RxMmioAccessesPerKiB()).as("the one round counted: 200 over 100 KiB").isCloseTo(2.0,
                within(1e-12));
        assertThat(e.l2TxMmioAccessesPerKiB()).as("not counted").isNaN();

        String table = MatrixTable.render(MatrixReport.of(List.of(m)));
        assertThat(table).contains("device events per KiB moved")
                .containsPattern("full pinning +3 +2\\.000 +4\\.000 +2\\.000 +-\\n");
        assertThat(MatrixReport.of(List.of(m)).deviceEvents()).singleElement().isEqualTo(e);
    }

    @Test
    void aModeWithNoEventsCountedHasNoRow() {
        IperfRun kib = new IperfRun(1024, 1, 8192, 0);
        ModeMeasurement m = new ModeMeasurement(MatrixMode.FULL_PINNING, 0, 1, 1,
                List.of(new TrafficRound(kib, kib, 1, 1)), 0L, 0L, 0L, 90, List.of(), null);
        assertThat(DeviceEventsPerKiB.of(m)).isEmpty();
        assertThat(MatrixTable.render(MatrixReport.of(List.of(m)))).doesNotContain("device events");
    }
}
