package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.zone.VIommu;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * kmod test 1 with iommu=pt (config B): the device's default domain is identity,
 * yet once attached it reaches the zone and only the zone.
 */
@Tag("vm")
class KmodPassthroughIommuIT {
    private static KmodGuestSuite suite;

    @BeforeAll
    static void boot() {
        suite = KmodGuestSuite.run("B", VIommu.INTEL_IOMMU, "iommu=pt");
    }

    @TestFactory
    Stream<DynamicTest> guestChecks() {
        return suite.tests(KmodIntelIommuIT.CHECKS);
    }

    @Test
    void defaultDomainWasPassthrough() {
        assertThat(suite.checks().value("default_domain")).hasValueSatisfying(d -> assertThat(d).contains("Passthrough"));
    }
}
