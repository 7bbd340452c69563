package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * dmazone's DMA ops with a second device class, nested: the outer QEMU gives L1 an emulated
 * NVMe on a raw image, L1 binds it to vfio-pci and passes it through to L2, whose stock nvme
 * driver runs on dmazone's DMA ops (virtio-iommu, boot-bypass off, the matrix's 64 MiB zone,
 * L2's QEMU held to the zone's pin budget). {@value Scenarios#NVME_MIB} MiB written with
 * O_DIRECT come back the same in L2 and are on the image outside, where they were written; L1
 * pinned only the zone, mapped once. The throughput each way is in L2's lines
 * ({@code nvme_write_mbps}, {@code nvme_read_mbps}); the NVMe pair of the main job compares it
 * with full pinning's.
 */
class NestedNvmeDmaOpsIT extends NestedRunChecks {
    @Override
    NestedSpec spec() {
        return Scenarios.nvme("nested-nvme-dma-ops", true);
    }

    @Test
    void theStockNvmeDriverWasSelectedBeforeItProbedAndGotTheZoneOnlyDomain() {
        passed(l2, "L2", "nvme_found");
        passed(l2, "L2", "dma_ops_selected");
        passed(l2, "L2", "stock_nvme_loaded");
        passed(l2, "L2", "nvme_namespace");
        passed(l2, "L2", "zone-attached");
    }

    @Test
    void theIoRanThroughTheDmaOpsWithoutErrorsRefusalsOrFaults() {
        passed(l2, "L2", "nvme_roundtrip");
        passed(l2, "L2", "nvme_throughput");
        passed(l2, "L2", "dma_ops_served");
        passed(l2, "L2", "l2_kernel_log_clean");
        passed(l1, "L1", "no_l1_iommu_faults");
    }

    /**
     * The outer QEMU's image holds what L2 wrote, and what L2 read back: its first {@value
     * Scenarios#NVME_MIB} MiB are L2's random chunk (its MD5 as L2 reported it) repeated, so
     * every transfer reached the device in its place, and the next {@value Scenarios#NVME_MIB}
     * MiB, which L2 wrote from what it read back of the first, are the same.
     */
    @Test
    void theImageOutsideHoldsWhatL2WroteAndReadBack() throws IOException {
        String[] pattern = l2.value("nvme_pattern").orElseThrow().split(" ");
        int chunkBytes = Integer.parseInt(pattern[0]);
        Path image = run.runDirectory().resolve("l1").resolve(GuestDevice.NVME_IMAGE);
        int bytes = Scenarios.NVME_MIB << 20;
        try (InputStream in = Files.newInputStream(image)) {
            byte[] written = readNext(in, image, bytes);
            assertThat(md5(Arrays.copyOf(written, chunkBytes))).as("MD5 of the first %d bytes of %s", chunkBytes,
                    image).isEqualTo(pattern[1]);
            for (int i = chunkBytes; i < bytes; i++) {
                if (written[i] != written[i % chunkBytes]) {
                    throw new AssertionError("byte " + i + " of " + image + " is " + written[i] + ", not "
                            + written[i % chunkBytes] + " as the repeated chunk of " + chunkBytes + " bytes says");
                }
            }
            byte[] readBack = readNext(in, image, bytes);
            int differs = Arrays.mismatch(written, readBack);
            assertThat(differs).as("first byte of %s's MiB %d to %d (what L2 read back of the first %d MiB) that "
                    + "differs from the one %d MiB before it", image, Scenarios.NVME_MIB, 2 * Scenarios.NVME_MIB,
                    Scenarios.NVME_MIB, Scenarios.NVME_MIB).isEqualTo(-1);
        }
    }

    @Test
    void l1PinnedOnlyTheZoneUnderItsBudget() {
        passed(l1, "L1", "l2_qemu_without_ipc_lock");
        passed(l1, "L1", "pin_budget_set");
        long zoneKiB = Scenarios.MATRIX_ZONE_KIB;
        assertThat(run.steady()).as("a sample while L2's command ran").isNotNull();
        assertThat(run.steady().vmLckKiB()).as("steady VmLck, zone %d KiB", zoneKiB)
                .isPositive().isLessThanOrEqualTo((long) (1.01 * zoneKiB));
        assertThat(run.peak().vmLckKiB()).as("peak VmLck, zone %d KiB", zoneKiB)
                .isLessThanOrEqualTo((long) (1.01 * zoneKiB));
    }

    /**
     * L2 maps its zone into the NVMe's domain when dmazone attaches the controller, as its driver
     * probes, in as many IOMMU entries as l2-zone-check.sh counted; each is one VFIO map call of
     * L2's QEMU. Before that, with boot-bypass off, L2 mapped nothing; after it, nothing more and
     * nothing unmapped, whatever the I/O.
     */
    @Test
    void l2sQemuMappedTheZoneOnceAndNothingElse() {
        passed(l1, "L1", "vfio_call_count");
        passed(l1, "L1", "l2_command_started");
        passed(l1, "L1", "l2_command_ended");
        String entries = l2.value("zone_iommu_entries").orElseThrow().split(" ")[0];
        assertThat(l1.value("boot_map_dma_calls")).as("map calls before L2's command").contains("0");
        assertThat(l1.value("command_map_dma_calls")).as("map calls during L2's command (the zone's %s entries)",
                entries).contains(entries);
        assertThat(l1.value("command_unmap_dma_calls")).as("unmap calls during L2's command").contains("0");
    }

    private static byte[] readNext(InputStream in, Path file, int bytes) throws IOException {
        byte[] data = in.readNBytes(bytes);
        assertThat(data).as("%d more bytes of %s", bytes, file).hasSize(bytes);
        return data;
    }

    private static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }
}
