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

/** kmod test 2 (config C, no vIOMMU): zone DMA works and sysfs says identity-only. */
@Tag("vm")
class KmodNoIommuIT {
    private static final List<String> CHECKS = List.of("environment", "edu_present", "modules_built", "debugfs",
            "client_load", "bad_param_unaligned_base", "bad_param_size_zero", "bad_param_system_ram",
            "bad_param_beyond_reserved", "bad_param_not_a_number", "bad_param_negative", "bad_param_empty",
            "bad_param_huge", "bad_param_huge_with_suffix", "bad_param_garbage", "load_memmap", "sysfs_state",
            "iomem_claimed", "bad_values_fail_next", "bad_values_selftest",
            "attach", "no_containment_reported", "zone_roundtrip_0x1234", "zone_roundtrip_0xbeef",
            "zone_buffers_freed", "outside_not_contained", "alloc_aligned_in_zone", "counters_after_alloc",
            "fault_injection", "free_all_used_zero", "stress_pool_restored", "rmmod_attached_ebusy",
            "rmmod_attached_delete_module_eagain", "detach",
            "rmmod_after_detach", "reload", "zone_after_reload", "load_pages", "pages_attach_refused_without_iommu",
            "rmmod_pages", "unload_all", "kernel_log_clean");
    private static KmodGuestSuite suite;

    @BeforeAll
    static void boot() {
        suite = KmodGuestSuite.run("C", VIommu.NONE);
    }

    @TestFactory
    Stream<DynamicTest> guestChecks() {
        return suite.tests(CHECKS);
    }

    @Test
    void theDefaultDomainCheckIsSkippedWithoutAnIommu() {
        assertThat(suite.checks().check("default_domain"))
                .hasValueSatisfying(c -> assertThat(c.skipped()).as("%s: %s", c.status(), c.detail()).isTrue());
    }

    @Test
    void sysfsSaysIdentityOnly() {
        assertThat(suite.checks().value("sysfs_mode")).hasValue("identity-only");
    }
}
