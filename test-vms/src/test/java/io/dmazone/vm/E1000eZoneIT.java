package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.zone.VIommu;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The patched e1000e in one VM (q35 + intel-iommu): its NIC sits on a QEMU hub with
 * a virtio-net NIC of the same VM, so traffic stays inside. Rings and buffers come
 * from the zone, traffic flows without DMAR faults, an RX descriptor aimed outside
 * the zone is blocked and recovered from, reloads leak nothing, and without dmazone
 * the driver behaves as upstream.
 */
@Tag("vm")
class E1000eZoneIT {
    private static final List<String> CHECKS = List.of("environment", "peer_namespace", "dmazone_loaded",
            "patched_driver_loaded", "zone_attached_log", "zone_attached_sysfs", "rings_in_zone",
            "rx_buffers_in_zone", "tx_slot_buffers_in_zone", "zone_accounting", "zone_mtu_limited", "zone_ping",
            "zone_ping_flood", "no_zone_allocation_per_frame", "zone_iperf_tx", "zone_iperf_rx",
            "zone_traffic_no_dmar_faults", "zone_ring_resize", "zone_ring_resize_back",
            "tx_slots_need_no_zone_allocation", "tx_per_frame_mode", "zone_exhaustion_counted",
            "zone_exhaustion_recovered", "tx_per_slot_mode_back",
            "rx_exhaustion_counted", "rx_exhaustion_no_oops", "rx_exhaustion_recovered",
            "fault_armed", "fault_descriptor_completed_and_reposted", "fault_target_outside_zone",
            "fault_memory_unchanged", "fault_dmar_logged", "fault_driver_recovered_log", "fault_counted",
            "fault_traffic_resumes", "fault_traffic_resumes_flood", "reload_cycles_no_leak",
            "upstream_mode_loaded", "upstream_mode_no_zone", "upstream_mode_ping", "upstream_mode_flood",
            "upstream_mode_iperf_tx", "upstream_mode_jumbo_allowed", "upstream_mode_unload", "kernel_log_clean");
    private static VmResult result;
    private static GuestChecks checks;

    @BeforeAll
    static void boot() {
        Path root = Project.root();
        assertThat(root.resolve("guest-driver/build/e1000e.ko")).as("built by mvn (guest-driver/build.sh)").exists();
        result = Vm.run(VmSpec.builder("e1000e-zone")
                .viommu(VIommu.INTEL_IOMMU)
                .qemuArg("-netdev", "hubport,id=dmz_hub_e1000e,hubid=0",
                        "-device", "e1000e,netdev=dmz_hub_e1000e",
                        "-netdev", "hubport,id=dmz_hub_peer,hubid=0",
                        "-device", "virtio-net-pci,netdev=dmz_hub_peer")
                .kernelArg(KmodGuestSuite.MEMMAP)
                .command("bash " + root.resolve("guest-driver/tests/guest/e1000e-zone-tests.sh")
                        + " --kmod-dir " + root.resolve("kmod")
                        + " --driver " + root.resolve("guest-driver/build/e1000e.ko"))
                .timeout(Duration.ofMinutes(8))
                .build());
        checks = GuestChecks.parse(result.output());
        System.out.printf("e1000e-zone: %s, booted in %.1f s, %.1f s wall; %s%n", result.accel(),
                result.bootSeconds(), result.wallSeconds(), checks.values());
    }

    @TestFactory
    Stream<DynamicTest> everyCheckPassed() {
        return Stream.concat(ExpectedChecks.each(checks, CHECKS, result.consoleLog()),
                DebugKernelDetectors.ifDebugKernel(result.consoleLog()));
    }

    @Test
    void guestExitedZero() {
        assertThat(result.exitStatus()).as("output:%n%s", result.output()).isZero();
    }
}
