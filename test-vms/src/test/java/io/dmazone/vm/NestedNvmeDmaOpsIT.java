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
     * The outer QEMU's image holds what L2 wrote, and L2 read back what the image holds: its
     * first {@value Scenarios#NVME_MIB} MiB are L2's random chunk (its MD5 as L2 reported it)
     * repeated, so every transfer reached the device in its place, and their MD5 is the one of
     * what L2 read back.
     */
    @Test
    void theImageOutsideHoldsWhatL2WroteAndReadBack() throws IOException {
        String[] pattern = l2.value("nvme_pattern").orElseThrow().split(" ");
        int chunkBytes = Integer.parseInt(pattern[0]);
        Path image = run.runDirectory().resolve("l1").resolve(GuestDevice.NVME_IMAGE);
        byte[] data = readFirst(image, (long) Scenarios.NVME_MIB << 20);
        assertThat(md5(Arrays.copyOf(data, chunkBytes))).as("MD5 of the first %d bytes of %s", chunkBytes, image)
                .isEqualTo(pattern[1]);
        for (int i = chunkBytes; i < data.length; i++) {
            if (data[i] != data[i % chunkBytes]) {
                throw new AssertionError("byte " + i + " of " + image + " is " + data[i] + ", not "
                        + data[i % chunkBytes] + " as the repeated chunk of " + chunkBytes + " bytes says");
            }
        }
        assertThat(md5(data)).as("MD5 of what L2 read back against the first %d MiB of %s", Scenarios.NVME_MIB,
                image).isEqualTo(l2.value("nvme_read_back_md5").orElseThrow());
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

    private static byte[] readFirst(Path file, long bytes) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] data = in.readNBytes(Math.toIntExact(bytes));
            assertThat(data).as("%s holds %d bytes", file, bytes).hasSize((int) bytes);
            return data;
        }
    }

    private static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }
}
