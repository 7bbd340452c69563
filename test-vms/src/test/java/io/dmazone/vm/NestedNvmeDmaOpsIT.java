package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * with full pinning's. Then the same L2 reloads dmazone with a zone too small for its I/O: maps
 * are refused, counted and retried by the block layer, and the data is whole.
 */
class NestedNvmeDmaOpsIT extends NestedRunChecks {
    @Override
    NestedSpec spec() {
        return Scenarios.nvmeWithExhaustion("nested-nvme-dma-ops");
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
     * every transfer reached the device in its place, and so are the next {@value
     * Scenarios#NVME_MIB} MiB, which L2 wrote from what it read back of the first.
     */
    @Test
    void theImageOutsideHoldsWhatL2WroteAndReadBack() throws IOException {
        byte[] chunk = chunk();
        assertRepeatedChunk(chunk, 0, Scenarios.NVME_MIB, "what L2 wrote");
        assertRepeatedChunk(chunk, Scenarios.NVME_MIB, Scenarios.NVME_MIB, "what L2 read back of it and wrote after it");
    }

    /**
     * A 2 MiB zone under streams of 4 MiB transfers at once, with refusals on purpose on top of
     * those the zone's size causes (see l2-nvme-exhaustion.sh): the DMA ops refuse and count,
     * nvme hands each refused request back to the block layer, which sends it again, with no
     * I/O error; what each stream wrote and read back under that load is whole on the image
     * (each 4 MiB the chunk repeated from its start); and with one request at a time nothing is
     * refused.
     */
    @Test
    void mapsRefusedOnASmallZoneUnderLoadAreRetriedByTheBlockLayerWithoutLosingData() throws IOException {
        passed(l2, "L2", "nvme_exhaustion_small_zone");
        passed(l2, "L2", "nvme_exhaustion_counted");
        passed(l2, "L2", "nvme_exhaustion_io_completed");
        passed(l2, "L2", "nvme_exhaustion_no_io_errors");
        passed(l2, "L2", "nvme_exhaustion_recovered");
        byte[] chunk = chunk();
        int from = 2 * Scenarios.NVME_MIB;
        int mib = L2Commands.NVME_EXHAUSTION_MIB;
        for (int block = 0; block < mib; block += 4) {
            assertRepeatedChunk(chunk, from + block, 4, "what a stream wrote to a 2 MiB zone");
            assertRepeatedChunk(chunk, from + mib + block, 4, "what a stream read back and wrote after it, on that zone");
        }
    }

    /** L1 only hands the NVMe on: its own nvme driver never took it ({@link GuestDevice#handOnKernelArgs}). */
    @Test
    void l1HandedTheControllerOnWithoutProbingItItself() throws IOException {
        Path console = run.runDirectory().resolve("l1").resolve("console.log");
        assertThat(new String(Files.readAllBytes(console), StandardCharsets.ISO_8859_1)).as("L1's console %s", console)
                .doesNotContain("nvme nvme0");
    }

    @Test
    void l1PinnedOnlyTheZoneUnderItsBudget() {
        passed(l1, "L1", "l2_qemu_without_ipc_lock");
        passed(l1, "L1", "pin_budget_set");
        long zoneKiB = Scenarios.MATRIX_ZONE_KIB;
        assertThat(run.steady()).as("a sample while L2's command ran").isNotNull();
        // the last sample of L2's command: the exhaustion part's zone
        long exhaustionZoneKiB = L2Commands.NVME_EXHAUSTION_ZONE_MIB * 1024L;
        assertThat(run.steady().vmLckKiB()).as("steady VmLck, the exhaustion part's zone of %d KiB", exhaustionZoneKiB)
                .isPositive().isLessThanOrEqualTo((long) (1.01 * exhaustionZoneKiB));
        assertThat(run.peak().vmLckKiB()).as("peak VmLck, zone %d KiB", zoneKiB)
                .isLessThanOrEqualTo((long) (1.01 * zoneKiB));
    }

    /**
     * L2 maps its zone into the NVMe's domain when dmazone attaches the controller, as its driver
     * probes, in as many IOMMU entries as l2-zone-check.sh counted; each is one VFIO map call of
     * L2's QEMU. Before that, with boot-bypass off, L2 mapped nothing; after it, nothing more and
     * nothing unmapped, whatever the I/O (counted to the end of the I/O, before the exhaustion
     * part reloads the zone).
     */
    @Test
    void l2sQemuMappedTheZoneOnceAndNothingElse() {
        passed(l1, "L1", "vfio_call_count");
        passed(l1, "L1", "l2_command_started");
        passed(l1, "L1", "l2_io_ended");
        passed(l1, "L1", "l2_command_ended");
        String entries = l2.value("zone_iommu_entries").orElseThrow().split(" ")[0];
        assertThat(l1.value("boot_map_dma_calls")).as("map calls before L2's command").contains("0");
        assertThat(l1.value("command_map_dma_calls")).as("map calls during L2's command (the zone's %s entries)",
                entries).contains(entries);
        assertThat(l1.value("command_unmap_dma_calls")).as("unmap calls during L2's command").contains("0");
    }

    private Path image() {
        return run.runDirectory().resolve("l1").resolve(GuestDevice.NVME_IMAGE);
    }

    /** L2's random chunk, the image's first bytes, checked against the MD5 L2 reported. */
    private byte[] chunk() throws IOException {
        String[] pattern = l2.value("nvme_pattern").orElseThrow().split(" ");
        byte[] chunk;
        try (InputStream in = Files.newInputStream(image())) {
            chunk = in.readNBytes(Integer.parseInt(pattern[0]));
        }
        assertThat(md5(chunk)).as("MD5 of the first %d bytes of %s", chunk.length, image()).isEqualTo(pattern[1]);
        return chunk;
    }

    /** The image's {@code mib} MiB from MiB {@code fromMiB} on are {@code chunk} repeated from its start. */
    private void assertRepeatedChunk(byte[] chunk, int fromMiB, int mib, String what) throws IOException {
        long from = (long) fromMiB << 20;
        ByteBuffer block = ByteBuffer.allocate(1 << 20);
        try (FileChannel image = FileChannel.open(image())) {
            for (long at = 0; at < (long) mib << 20; at += block.capacity()) {
                block.clear();
                while (block.hasRemaining() && image.read(block, from + at + block.position()) > 0) {
                    // a read may return less than asked
                }
                assertThat(block.position()).as("%s holds MiB %d", image(), (from + at) >> 20)
                        .isEqualTo(block.capacity());
                for (int i = 0; i < block.capacity(); i++) {
                    byte want = chunk[(int) ((at + i) % chunk.length)];
                    if (block.get(i) != want) {
                        throw new AssertionError(String.format("%s: byte %d of %s (MiB %d to %d) is %d, not %d as "
                                + "the repeated chunk of %d bytes says", what, from + at + i, image(), fromMiB,
                                fromMiB + mib, block.get(i), want, chunk.length));
                    }
                }
            }
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
