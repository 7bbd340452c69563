package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestDeviceTest {
    @TempDir
    Path run;

    @Test
    void theNvmesNamespaceIsASparseImageInTheRunDirectory() throws IOException {
        GuestDevice.NVME.prepare(run);
        Path image = run.resolve(GuestDevice.NVME_IMAGE);
        assertThat(image).hasSize((long) GuestDevice.NVME_IMAGE_MIB << 20);
        assertThat(GuestDevice.NVME.qemuArgs(run)).containsExactly("-drive",
                "if=none,id=dmz_nvme,format=raw,file=" + image.toAbsolutePath(), "-device",
                "nvme,serial=dmazone,drive=dmz_nvme");
    }

    /** A retried boot finds the image the first attempt made, and what was written on it. */
    @Test
    void aSecondPrepareKeepsTheImage() throws IOException {
        Path image = run.resolve(GuestDevice.NVME_IMAGE);
        Files.write(image, new byte[] {1, 2, 3});
        GuestDevice.NVME.prepare(run);
        assertThat(image).hasSize(3);
        assertThat(Files.readAllBytes(image)).containsExactly(1, 2, 3);
    }

    /** A comma in the run's path is doubled: QEMU's option syntax would split the file name there. */
    @Test
    void aCommaInTheImagePathIsEscapedForQemu() {
        assertThat(GuestDevice.NVME.qemuArgs(Path.of("/tmp/a,b")).get(1)).endsWith("file=/tmp/a,,b/nvme.img");
    }

    @Test
    void devicesWithoutBackingFilesNeedNothingPrepared() throws IOException {
        GuestDevice.E1000E.prepare(run);
        assertThat(GuestDevice.E1000E.qemuArgs(run)).containsExactly("-netdev", "user,id=dmz_e1000e,restrict=on",
                "-device", "e1000e,netdev=dmz_e1000e");
        try (var files = Files.list(run)) {
            assertThat(files).isEmpty();
        }
    }
}
