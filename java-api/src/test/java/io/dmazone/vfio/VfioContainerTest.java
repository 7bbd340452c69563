package io.dmazone.vfio;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dmazone.NativeCallException;
import io.dmazone.sysfs.PciSysfs;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What can be checked without VFIO: opening a container where there is none says what to do. */
class VfioContainerTest {
    @Test
    void missingVfioSaysToLoadTheModule(@TempDir Path tmp) {
        PciSysfs fake = new PciSysfs(tmp.resolve("sys"), tmp.resolve("dev"), Duration.ZERO);
        assertThatThrownBy(() -> VfioContainer.open(IommuBackend.TYPE1V2, fake))
                .isInstanceOf(NativeCallException.class)
                .hasMessageContaining("failed: ENOENT — VFIO is not loaded: modprobe vfio-pci");
    }

    @Test
    void aFileThatIsNotVfioFailsTheApiCheck(@TempDir Path tmp) throws Exception {
        Path dev = tmp.resolve("dev");
        java.nio.file.Files.createDirectories(dev.resolve("vfio"));
        java.nio.file.Files.writeString(dev.resolve("vfio/vfio"), "not a device");
        PciSysfs fake = new PciSysfs(tmp.resolve("sys"), dev, Duration.ZERO);
        assertThatThrownBy(() -> VfioContainer.open(IommuBackend.TYPE1, fake))
                .isInstanceOf(NativeCallException.class)
                .hasMessageStartingWith("VFIO_GET_API_VERSION failed: ENOTTY");
    }
}
