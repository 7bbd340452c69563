package io.dmazone.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Ready-made L2 commands (busybox sh scripts kept beside this class). */
public final class L2Commands {
    private L2Commands() {
    }

    /**
     * After {@code settings} (a side-by-side lane's addresses and sync limit,
     * {@link HubLane#l2Settings}): brings the e1000e up on the lane's hub, serves iperf3 until
     * L1 has measured, then checks that the traffic left L2's kernel log clean. With a zone
     * ({@link L2Driver#zone()}), first checks that dmazone gave the NIC its zone-only domain
     * (l2-zone-check.sh) and reports the zone ({@code VALUE zone_bytes}); with
     * {@link L2Driver#STOCK_DMA_OPS}, before that selects the NIC for dmazone's DMA ops and
     * loads the stock e1000e (l2-dma-ops-select.sh), and at the end reports the ops' counters.
     * With {@code hotAdded} (a plan that adds the NIC once L2's IOMMU is on), first of all tells
     * L1 the IOMMU is on and waits for the NIC, and before the last check lets L1 remove it
     * again (l2-hot-plug.sh).
     */
    public static String serve(L2Driver driver, boolean hotAdded, String settings) {
        return withHelpers(settings) + (hotAdded ? "HOT_PLUGGED=1\n" + read("l2-hot-plug.sh") + "\n" : "")
                + (driver == L2Driver.STOCK_DMA_OPS ? read("l2-dma-ops-select.sh") + "\n" : "")
                + (driver.zone() ? read("l2-zone-check.sh") + "\n" : "") + read("l2-serve.sh");
    }

    /**
     * The L2 half of the nested zone correctness run (see l2-zone-correctness.sh): traffic
     * with a clean L2 kernel log, {@code cycles} reloads of dmazone.ko (with
     * {@code zoneParams}) and the e1000e, then a wait to be killed. With the
     * {@link L2Driver#PATCHED} driver an injected out-of-zone RX descriptor between them; with
     * {@link L2Driver#STOCK_DMA_OPS} the NIC selected for dmazone's DMA ops before the stock
     * driver loads (l2-dma-ops-select.sh), the traffic checked to have gone through them, and
     * an unbind and bind of the driver in every cycle.
     */
    public static String zoneCorrectness(L2Driver driver, String zoneParams, int cycles) {
        if (!driver.zone()) {
            throw new IllegalArgumentException("driver: " + driver + " has no zone to check; use PATCHED or "
                    + "STOCK_DMA_OPS");
        }
        return withHelpers("ZONE_PARAMS='" + zoneParams + "'\nCYCLES=" + cycles + "\n")
                + (driver == L2Driver.STOCK_DMA_OPS ? read("l2-dma-ops-select.sh") + "\n" : "")
                + read("l2-zone-check.sh") + "\n" + read("e1000e-lib.sh") + "\n" + read("l2-zone-correctness.sh");
    }

    /**
     * The L2 command of an NVMe run (l2-nvme.sh, then l2-nvme-io.sh): loads the stock nvme
     * driver for the passed-through NVMe, with {@code dmaOps} after selecting the controller for
     * dmazone's DMA ops and then checking its zone-only domain (l2-zone-check.sh); times
     * {@code mib} MiB each way with O_DIRECT, writes {@code mib} MiB of a repeated random chunk,
     * reads them back and writes what it read after them (for the harness to check both copies
     * on the NVMe's image against the chunk it reports), and with the DMA ops checks that they
     * carried every byte. With {@code exhaustion} (which needs {@code dmaOps}), then
     * l2-nvme-exhaustion.sh: dmazone reloaded with a {@value #NVME_EXHAUSTION_ZONE_MIB} MiB zone,
     * {@value #NVME_EXHAUSTION_MIB} MiB written, then read back and copied, by streams of 4 MiB
     * at once after the round trip's copies, refused maps counted and retried by the block layer.
     */
    public static String nvme(boolean dmaOps, int mib, boolean exhaustion) {
        if (exhaustion && !dmaOps) {
            throw new IllegalArgumentException("exhaustion shrinks dmazone's zone: it needs dmaOps");
        }
        int most = (GuestDevice.NVME_IMAGE_MIB - NVME_EXHAUSTION_SPAN_MIB) / 2;
        if (mib <= 0 || mib > most) {
            throw new IllegalArgumentException("mib: " + mib + " MiB; use 1 to " + most + " (the round trip's "
                    + "write and its copy each take that much of the " + GuestDevice.NVME_IMAGE_MIB + " MiB namespace, "
                    + "the exhaustion part " + NVME_EXHAUSTION_SPAN_MIB + " MiB after them)");
        }
        return withHelpers("NVME_DMA_OPS=" + (dmaOps ? 1 : 0) + "\nNVME_MIB=" + mib + "\nNVME_EXHAUSTION_MIB="
                + NVME_EXHAUSTION_MIB + "\nNVME_EXHAUSTION_ZONE_MIB=" + NVME_EXHAUSTION_ZONE_MIB + "\n")
                + read("l2-nvme.sh")
                + "\n" + (dmaOps ? read("l2-zone-check.sh") + "\n" : "") + read("l2-nvme-io.sh") + "\n"
                + (exhaustion ? read("l2-nvme-exhaustion.sh") + "\n" : "") + "ktap_end\nexit \"$failed\"\n";
    }

    /** What l2-nvme-exhaustion.sh writes, and then copies after it (its NVME_EXHAUSTION_MIB). */
    public static final int NVME_EXHAUSTION_MIB = 32;

    /** The zone l2-nvme-exhaustion.sh reloads dmazone with: its smallest, one chunk of 2 MiB. */
    public static final int NVME_EXHAUSTION_ZONE_MIB = 2;

    /** The namespace's MiB that l2-nvme-exhaustion.sh uses: two copies and 4 MiB one request at a time. */
    static final int NVME_EXHAUSTION_SPAN_MIB = 2 * NVME_EXHAUSTION_MIB + 4;

    /**
     * The L2 half of an uncooperative-guest run (see l2-uncooperative.sh): {@code kase}
     * "over-map" maps {@code extraMiB} beyond the zone into edu's domain and has edu write
     * there; "identity" checks that the guest got the identity domain it asked for.
     */
    public static String uncooperative(String kase, int extraMiB) {
        return withHelpers("CASE=" + kase + "\nEXTRA_MIB=" + extraMiB + "\n") + read("l2-uncooperative.sh");
    }

    /**
     * The L2 half of an edu benchmark run (see l2-edu-bench.sh): {@code rounds} rounds of
     * {@code transfers} round trips through QEMU's edu device, on zone buffers with {@code zone}
     * (the test client attached to dmazone's zone), else on ordinary memory mapped per transfer.
     */
    public static String eduBench(boolean zone, int rounds, int transfers) {
        if (rounds < 1 || transfers < 1 || transfers > EDU_BENCH_MAX_TRANSFERS) {
            throw new IllegalArgumentException("rounds " + rounds + ", transfers " + transfers + ": at least one round of 1 to "
                    + EDU_BENCH_MAX_TRANSFERS + " transfers (the test client's limit)");
        }
        return withHelpers("EDU_ROUNDS=" + rounds + "\nEDU_TRANSFERS=" + transfers + "\nEDU_ZONE=" + (zone ? 1 : 0) + "\n")
                + read("l2-edu-bench.sh");
    }

    /** The most round trips one "bench" command of the test client makes (its EDU_BENCH_MAX). */
    public static final int EDU_BENCH_MAX_TRANSFERS = 100_000;

    /**
     * Settings, then the helpers L2 commands share: ktap.sh (the KTAP check emitter,
     * whose version line is the command's first output) and l2-lib.sh.
     */
    private static String withHelpers(String settings) {
        return settings + read("ktap.sh") + "\n" + read("l2-lib.sh") + "\n";
    }

    static String read(String resource) {
        try (InputStream in = L2Commands.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
