package io.dmazone.sysfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dmazone.DeviceNotFoundException;
import io.dmazone.SysfsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PciSysfsTest {
    @TempDir
    Path tmp;
    Path sys;
    PciSysfs sysfs;

    /** A fake tree shaped like L1's: edu alone in group 10, 1f.0/1f.2/1f.3 together in group 11. */
    @BeforeEach
    void tree() throws IOException {
        sys = tmp.resolve("sys");
        Files.createDirectories(sys.resolve("bus/pci/devices"));
        Files.createDirectories(sys.resolve("devices/pci0000:00"));
        Files.writeString(sys.resolve("bus/pci/drivers_probe"), "");
        device("0000:00:0a.0", 0x1234, 0x11e8, 0x00ff00, null, 10);
        device("0000:00:1f.0", 0x8086, 0x2918, 0x060100, "lpc_ich", 11);
        device("0000:00:1f.2", 0x8086, 0x2922, 0x010601, "ahci", 11);
        device("0000:00:1f.3", 0x8086, 0x2930, 0x0c0500, "vfio-pci", 11);
        Files.createDirectories(sys.resolve("devices/pci0000:00/not-a-device"));
        Files.createSymbolicLink(sys.resolve("bus/pci/devices/garbage"), sys.resolve("devices/pci0000:00/not-a-device"));
        sysfs = new PciSysfs(sys, tmp.resolve("dev"), Duration.ZERO);
    }

    private void device(String bdf, int vendor, int device, int cls, String driver, int group) throws IOException {
        Path d = sys.resolve("devices/pci0000:00").resolve(bdf);
        Files.createDirectories(d);
        Files.writeString(d.resolve("vendor"), String.format("0x%04x%n", vendor));
        Files.writeString(d.resolve("device"), String.format("0x%04x%n", device));
        Files.writeString(d.resolve("class"), String.format("0x%06x%n", cls));
        Files.writeString(d.resolve("driver_override"), "(null)\n");
        if (driver != null) {
            Path drv = sys.resolve("bus/pci/drivers").resolve(driver);
            Files.createDirectories(drv);
            Files.writeString(drv.resolve("unbind"), "");
            Files.createSymbolicLink(d.resolve("driver"), drv);
            Files.writeString(d.resolve("unbind-target"), "");
        }
        Path g = sys.resolve("kernel/iommu_groups").resolve(Integer.toString(group));
        Files.createDirectories(g.resolve("devices"));
        Files.createSymbolicLink(d.resolve("iommu_group"), g);
        Files.createSymbolicLink(g.resolve("devices").resolve(bdf), d);
        Files.createSymbolicLink(sys.resolve("bus/pci/devices").resolve(bdf), d);
    }

    @Test
    void parsesAndPrintsAddresses() {
        PciAddress a = PciAddress.parse("0000:00:0a.0");
        assertThat(a).isEqualTo(new PciAddress(0, 0, 10, 0));
        assertThat(a).hasToString("0000:00:0a.0");
        assertThat(PciAddress.parse("00:1f.2")).hasToString("0000:00:1f.2");
        assertThat(PciAddress.parse("ffff:ff:1f.7")).isEqualTo(new PciAddress(0xffff, 0xff, 0x1f, 7));
        assertThat(PciAddress.parse("0000:00:0a.0").compareTo(PciAddress.parse("0000:00:1f.0"))).isNegative();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0a.0", "0000:00:0a", "0000:00:0a.8", "00000:00:0a.0", "0000:000:0a.0", "zz:0a.0", "0000:00:0a.0 x"})
    void rejectsWhatIsNotAnAddress(String s) {
        assertThatThrownBy(() -> PciAddress.parse(s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0000:00:0a.0");
    }

    @Test
    void rejectsOutOfRangeFields() {
        assertThatThrownBy(() -> PciAddress.parse("0000:00:20.0")).hasMessageContaining("device 32 out of range 0..31");
        assertThatThrownBy(() -> new PciAddress(0x10000, 0, 0, 0)).hasMessageContaining("domain");
        assertThatThrownBy(() -> PciAddress.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listsDevicesWithDriversAndGroups() {
        assertThat(sysfs.devices()).extracting(d -> d.address().toString())
                .containsExactly("0000:00:0a.0", "0000:00:1f.0", "0000:00:1f.2", "0000:00:1f.3");
        PciDevice edu = sysfs.findByIds(0x1234, 0x11e8).get(0);
        assertThat(edu.ids()).isEqualTo("1234:11e8");
        assertThat(edu.driver()).isEmpty();
        assertThat(edu.iommuGroup()).isEqualTo(OptionalInt.of(10));
        assertThat(edu.classCode()).isEqualTo(0xff00);
        assertThat(edu.bindingDescription()).isEqualTo("not bound to any driver");
        assertThat(sysfs.device(PciAddress.parse("0000:00:1f.2")).get().driver()).isEqualTo(Optional.of("ahci"));
    }

    @Test
    void groupsKnowWhatKeepsThemFromBeingViable() {
        IommuGroup g = sysfs.iommuGroup(11);
        assertThat(g.devices()).hasSize(3);
        assertThat(g.blockers()).extracting(d -> d.address() + " is " + d.bindingDescription())
                .containsExactly("0000:00:1f.0 is bound to lpc_ich", "0000:00:1f.2 is bound to ahci");
        assertThat(sysfs.iommuGroup(10).blockers()).isEmpty();
        assertThatThrownBy(() -> sysfs.iommuGroup(99)).isInstanceOf(SysfsException.class)
                .hasMessageContaining("no IOMMU group 99");
    }

    @Test
    void aWrongAddressSaysHowToFindTheRightOne() {
        assertThatThrownBy(() -> sysfs.bindToVfioPci(PciAddress.parse("0000:00:0b.0")))
                .isInstanceOf(DeviceNotFoundException.class)
                .hasMessage("no PCI device 0000:00:0b.0 (not in " + sys.resolve("bus/pci/devices") + "); check the address with lspci -D");
    }

    @Test
    void bindingWritesDriverOverrideUnbindsProbesAndRestoresOnClose() throws IOException {
        PciAddress ahci = PciAddress.parse("0000:00:1f.2");
        Path devDir = sys.resolve("bus/pci/devices/0000:00:1f.2");
        Path unbind = sys.resolve("bus/pci/drivers/ahci/unbind");
        Path probe = sys.resolve("bus/pci/drivers_probe");
        try (VfioPciBinding b = sysfs.bindToVfioPci(ahci)) {
            assertThat(b.changed()).isTrue();
            assertThat(b.iommuGroup()).isEqualTo(11);
            assertThat(b.before().driver()).contains("ahci");
            assertThat(Files.readString(devDir.resolve("driver_override"))).isEqualTo("vfio-pci");
            assertThat(Files.readString(unbind)).isEqualTo("0000:00:1f.2");
            assertThat(Files.readString(probe)).isEqualTo("0000:00:1f.2");
            Files.writeString(probe, "");
            Files.writeString(unbind, "");
        }
        assertThat(Files.readString(devDir.resolve("driver_override"))).isEqualTo("\n");
        assertThat(Files.readString(unbind)).isEqualTo("0000:00:1f.2"); // unbound from the (fake) current driver
        assertThat(Files.readString(probe)).isEqualTo("0000:00:1f.2"); // reprobed for ahci
    }

    @Test
    void anUnboundDeviceIsNotUnboundAndNotReprobedOnClose() throws IOException {
        PciAddress edu = PciAddress.parse("0000:00:0a.0");
        Path probe = sys.resolve("bus/pci/drivers_probe");
        VfioPciBinding b = sysfs.bindToVfioPci(edu);
        assertThat(Files.readString(probe)).isEqualTo("0000:00:0a.0");
        Files.writeString(probe, "");
        b.close();
        b.close();
        assertThat(Files.readString(probe)).isEmpty();
    }

    @Test
    void aDeviceAlreadyOnVfioPciIsLeftAlone() throws IOException {
        VfioPciBinding b = sysfs.bindToVfioPci(PciAddress.parse("0000:00:1f.3"));
        assertThat(b.changed()).isFalse();
        b.close();
        assertThat(Files.readString(sys.resolve("bus/pci/devices/0000:00:1f.3/driver_override"))).isEqualTo("(null)\n");
    }

    @Test
    void aFailedWriteRestoresAndSaysSo() throws IOException {
        Files.delete(sys.resolve("bus/pci/drivers_probe"));
        assertThatThrownBy(() -> sysfs.bindToVfioPci(PciAddress.parse("0000:00:0a.0")))
                .isInstanceOf(SysfsException.class).hasMessageContaining("drivers_probe");
        assertThat(Files.readString(sys.resolve("bus/pci/devices/0000:00:0a.0/driver_override"))).isEqualTo("\n");
    }
}
