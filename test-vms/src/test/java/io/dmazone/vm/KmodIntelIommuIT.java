package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.zone.VIommu;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * kmod tests 1 and 3-5 on q35 + intel-iommu (config A): edu DMA inside the zone works, outside
 * faults; and the same containment with edu selected for transparent mode, its buffers from the
 * DMA API.
 */
@Tag("vm")
class KmodIntelIommuIT {
    static final List<String> CHECKS = List.of("environment", "edu_present", "modules_built", "default_domain",
            "debugfs", "client_load", "bad_param_unaligned_base", "bad_param_size_zero", "bad_param_system_ram",
            "bad_param_beyond_reserved", "bad_param_not_a_number", "bad_param_negative", "bad_param_empty",
            "bad_param_huge", "bad_param_huge_with_suffix", "bad_param_garbage", "load_memmap", "sysfs_state",
            "iomem_claimed", "bad_values_fail_next", "bad_values_selftest",
            "attach", "zone_mapped_2m", "zone_roundtrip_0x1234", "zone_roundtrip_0xbeef", "zone_buffers_freed",
            "outside_write_blocked", "dmar_fault_write", "outside_read_blocked", "dmar_fault_read",
            "zone_after_faults", "alloc_aligned_in_zone", "counters_after_alloc", "fault_injection",
            "free_all_used_zero", "stress_pool_restored", "rmmod_attached_ebusy",
            "rmmod_attached_delete_module_eagain", "detach", "rmmod_after_detach", "reload", "zone_after_reload",
            "load_pages", "pages_zone_roundtrip", "rmmod_pages", "transparent_edu_attached",
            "transparent_zone_roundtrip", "transparent_outside_write_blocked", "transparent_dmar_fault_write",
            "transparent_outside_read_blocked", "transparent_dmar_fault_read", "unload_all",
            "kernel_log_clean");
    private static KmodGuestSuite suite;

    @BeforeAll
    static void boot() {
        suite = KmodGuestSuite.run("A", VIommu.INTEL_IOMMU);
    }

    @TestFactory
    Stream<DynamicTest> guestChecks() {
        return suite.tests(CHECKS);
    }

    @Test
    void outOfZoneDmaLeftADmarFaultLine() {
        assertThat(suite.checks().value("dmar_fault_write")).hasValueSatisfying(line ->
                assertThat(line).contains("DMAR:").contains("DMA Write").contains("fault reason"));
        assertThat(suite.checks().value("default_domain")).hasValueSatisfying(d -> assertThat(d).contains("Translated"));
    }
}
