package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The claim, nested: with dmazone.ko and the patched e1000e in L2, L1 pins the zone
 * and nothing else once L2 is up, under both vIOMMU models; with virtio-iommu and
 * boot-bypass=off not even the boot pins more.
 */
class NestedZoneTest {
    private static NestedResult intel;
    private static NestedResult virtio;

    @BeforeAll
    static void run() {
        intel = NestedRun.run(Scenarios.zoneE1000e("nested-zone-intel", Viommu.INTEL));
        virtio = NestedRun.run(Scenarios.zoneE1000e("nested-zone-virtio", Viommu.VIRTIO_NO_BOOT_BYPASS));
        System.out.println(FootprintTable.render(List.of(intel, virtio)));
        for (NestedResult r : List.of(intel, virtio)) {
            long zone = zoneKiB(r);
            System.out.printf("%s: zone %d KiB, steady/zone %.3f, peak/zone %.3f%n", r.name(), zone,
                    (double) r.steady().vmLckKiB() / zone, (double) r.peak().vmLckKiB() / zone);
        }
    }

    private static long zoneKiB(NestedResult r) {
        return Long.parseLong(GuestChecks.parse(r.l2Output()).value("zone_bytes").orElseThrow(
                () -> new AssertionError("L2 printed no zone size; L2 output:\n" + r.l2Output()))) / 1024;
    }

    @Test
    void zoneAttachedAndTheNicCameUpInBoth() {
        for (NestedResult r : List.of(intel, virtio)) {
            GuestChecks checks = GuestChecks.parse(r.l2Output());
            assertThat(r.l2ExitStatus()).as("%s L2 output:%n%s", r.name(), r.l2Output()).isZero();
            assertThat(checks.check("zone-attached")).hasValueSatisfying(c -> assertThat(c.passed()).isTrue());
            assertThat(checks.check("e1000e-link-up")).hasValueSatisfying(c -> assertThat(c.passed()).isTrue());
        }
    }

    @Test
    void steadyPinnedIsTheZoneWithIntelIommu() {
        assertThat(intel.steady().vmLckKiB()).isPositive().isLessThanOrEqualTo((long) (1.01 * zoneKiB(intel)));
    }

    @Test
    void steadyPinnedIsTheZoneWithVirtioIommu() {
        assertThat(virtio.steady().vmLckKiB()).isPositive().isLessThanOrEqualTo((long) (1.01 * zoneKiB(virtio)));
    }

    @Test
    void virtioIommuWithoutBootBypassNeverPinsMoreThanTwiceTheZone() {
        assertThat(virtio.peak().vmLckKiB()).isLessThanOrEqualTo(2 * zoneKiB(virtio));
    }
}
