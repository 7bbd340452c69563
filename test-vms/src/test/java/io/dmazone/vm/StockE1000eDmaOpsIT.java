package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.zone.VIommu;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * dmazone's transparent mode with the stock e1000e (the lean kernel's own module, no patch):
 * dmazone.ko loaded with {@code transparent=<the e1000e>} serves the driver's DMA API from the
 * zone. One VM per vIOMMU (intel-iommu, and none), one after the other, each with its NIC on a
 * QEMU hub with a virtio-net NIC of the same VM (in a network namespace): the rings and buffers
 * the DMA API hands the driver lie in the zone (the DMA-API debug dump and dmazone's counters),
 * ping, ping flood and iperf3 both ways work without DMAR faults or DMA-API reports, exhausted
 * maps are counted and recovered from, and unbinding, rebinding, unloading and reloading ten
 * times leaves the device on plain DMA, working, each time dmazone is gone.
 *
 * <p>{@code -Ddmazone.dmaops.viommus=intel} (or {@code none}, or {@code virtio} for
 * virtio-iommu with boot-bypass=off, which is not in the default list) boots only those.
 */
@Tag("vm")
class StockE1000eDmaOpsIT {
    private static final List<String> COMMON = List.of("environment", "peer_namespace", "stock_plain_dma",
            "stock_driver_unmodified", "plain_dma_outside_zone", "dmaops_loaded", "dmaops_attached",
            "dmaops_rebind_logged", "dmaops_attach_logged", "dmaops_sysfs_device", "dmaops_dma_in_zone",
            "dmaops_counters_at_probe", "dmaops_ping", "dmaops_ping_flood", "dmaops_counters_rise",
            "dmaops_iperf_tx", "dmaops_iperf_rx", "dmaops_rx_bytes_bounced", "dmaops_high_water",
            "dmaops_dma_in_zone_after_traffic", "dmaops_no_dma_api_reports", "dmaops_exhaustion_counted",
            "dmaops_exhaustion_no_oops", "dmaops_exhaustion_recovered", "dmaops_sysfs_errors", "dmaops_sysfs_remove",
            "dmaops_sysfs_remove_again", "dmaops_sysfs_add", "dmaops_bench_map", "dmaops_unbind_reload_cycles",
            "dmaops_unload_plain_dma", "kernel_log_clean");
    /** With an IOMMU: also no IOMMU fault during traffic. */
    private static final List<String> WITH_IOMMU = List.of("dmaops_no_iommu_faults");

    @TestFactory
    Stream<DynamicNode> eachVIommu() {
        String wanted = System.getProperty("dmazone.dmaops.viommus", "intel,none");
        return Arrays.stream(wanted.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(VIommu::parse)
                .map(v -> DynamicContainer.dynamicContainer(v.label(), Stream.of(v).flatMap(this::bootAndCheck)));
    }

    private Stream<DynamicNode> bootAndCheck(VIommu viommu) {
        Path root = Project.root();
        Path kmod = root.resolve("kmod");
        assertThat(kmod.resolve("dmazone.ko")).as("build kmod first (mvn verify builds it)").exists();
        String iommu = switch (viommu) {
            case INTEL_IOMMU -> "intel";
            case VIRTIO_IOMMU -> "virtio";
            case NONE -> "none";
            default -> throw new IllegalArgumentException("no transparent-mode run for " + viommu);
        };
        KernelBuild kernel = Kernels.selected();
        Path stock = kernel.moduleDirectory()
                .resolve(kernel.requireModule("kernel/drivers/net/ethernet/intel/e1000e/e1000e"));
        VmResult result = Vm.run(VmSpec.builder("e1000e-dmaops-" + iommu)
                .viommu(viommu)
                .device(GuestDevice.E1000E_HUB)
                .kernelArg(KmodGuestSuite.MEMMAP)
                .command("bash " + kmod.resolve("tests/guest/transparent-e1000e-tests.sh") + " --iommu " + iommu
                        + " --stock-driver " + stock)
                .timeout(Duration.ofMinutes(10))
                .build());
        GuestChecks checks = GuestChecks.parse(result.output());
        System.out.printf("e1000e-dmaops-%s: %s, booted in %.1f s, %.1f s wall; %s%n", iommu, result.accel(),
                result.bootSeconds(), result.wallSeconds(), checks.values());
        List<String> expected = new ArrayList<>(COMMON);
        if (viommu != VIommu.NONE) {
            expected.addAll(WITH_IOMMU);
        }
        Stream<DynamicTest> each = Stream.concat(ExpectedChecks.each(checks, expected, result.consoleLog()),
                DebugKernelDetectors.ifDebugKernel(result.consoleLog()));
        return Stream.concat(each, Stream.of(DynamicTest.dynamicTest("guest exit status", () ->
                assertThat(result.exitStatus()).as("output:%n%s", result.output()).isZero())));
    }
}
