package io.dmazone.zone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dmazone.Sizes;
import io.dmazone.sysfs.PciAddress;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link ZoneSpec#parse(String)} and {@link ZonePlanner} on 10,000 generated inputs each:
 * a valid zone or plan, or an {@link IllegalArgumentException} naming the field at fault;
 * nothing else escapes.
 */
class ZonePropertyTest {
    @Provide
    static Arbitrary<String> zoneTexts() {
        Arbitrary<String> size = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 1L << 34).map(n -> Long.toString(n)),
                Arbitraries.integers().between(0, 5000).map(n -> n + "M"),
                Arbitraries.of("1G", "2M", "3M", "0", "-2M", "x", "", "16E"));
        Arbitrary<String> base = Arbitraries.oneOf(
                Arbitraries.longs().between(0, Long.MAX_VALUE).map(Sizes::hex),
                Arbitraries.longs().between(0, 1L << 40).map(n -> Long.toString(n / Sizes.MIB * Sizes.MIB)),
                Arbitraries.of("0x40000000", "0x1000", "", "@", "0x7fffffffffe00000"));
        Arbitrary<String> withBase = Combinators.combine(size, base).as((s, b) -> s + "@" + b);
        return Arbitraries.oneOf(withBase, size, Arbitraries.strings().ofMaxLength(20));
    }

    @Property(tries = 10_000)
    void aZoneIsValidOrItsFieldIsNamed(@ForAll("zoneTexts") String text) {
        Throwable t = catchThrowable(() -> {
            ZoneSpec z = ZoneSpec.parse(text);
            assertThat(z.size()).isPositive();
            assertThat(z.size() % z.alignment()).isZero();
            if (!z.isPageBuilt()) {
                assertThat(z.guestPhysBase()).isGreaterThanOrEqualTo(Sizes.MIB);
                assertThat(z.guestPhysBase() % z.alignment()).isZero();
                assertThat(z.end()).isGreaterThan(z.guestPhysBase());
                assertThat(z.memmapParameter()).startsWith("memmap=");
            }
        });
        if (t != null) {
            assertThat(t).isInstanceOf(IllegalArgumentException.class);
            assertThat(t.getMessage()).containsAnyOf("zone", "size");
        }
    }

    @Provide
    static Arbitrary<ZoneSpec> zones() {
        Arbitrary<Long> size = Arbitraries.longs().between(1, 4096).map(n -> n * 2 * Sizes.MIB);
        Arbitrary<Long> base = Arbitraries.oneOf(Arbitraries.just(ZoneSpec.PAGE_BUILT),
                Arbitraries.longs().between(1, 8192).map(n -> n * 2 * Sizes.MIB));
        return Combinators.combine(size, base).as(ZoneSpec::of);
    }

    @Provide
    static Arbitrary<Long> guestRams() {
        return Arbitraries.oneOf(Arbitraries.longs().between(1, 32768).map(n -> n * Sizes.MIB),
                Arbitraries.longs().between(Long.MIN_VALUE, Long.MAX_VALUE));
    }

    @Provide
    static Arbitrary<List<PciAddress>> deviceLists() {
        return Arbitraries.integers().between(0, 3).map(n -> new PciAddress(0, 0, n, 0)).list().ofMaxSize(5);
    }

    @Property(tries = 10_000)
    void aPlanCoversItsPinsOrNamesWhatIsWrong(@ForAll("zones") ZoneSpec zone, @ForAll("guestRams") long guestRam,
                                             @ForAll VIommu viommu, @ForAll boolean kvm,
                                             @ForAll("deviceLists") List<PciAddress> devices) {
        Throwable t = catchThrowable(() -> {
            ZonePlanner planner = ZonePlanner.forZone(zone, guestRam).viommu(viommu).kvm(kvm);
            devices.forEach(planner::device);
            ZonePlan p = planner.plan();
            int n = p.devices().size();
            assertThat(n).isPositive();
            assertThat(p.memlockBytes()).isGreaterThanOrEqualTo(p.steadyPinnedBytes())
                    .isGreaterThanOrEqualTo(p.startupPinnedBytes());
            long expectedSteady = viommu == VIommu.NONE ? guestRam + ZonePlanner.FIRMWARE_SLACK : zone.size() * n;
            assertThat(p.steadyPinnedBytes()).isEqualTo(expectedSteady);
            assertThat(p.qemuArgs()).containsSequence("-m", guestRam / Sizes.MIB + "M");
            assertThat(p.kernelCmdline()).contains("dmazone.size=" + Sizes.hex(zone.size()));
        });
        if (t != null) {
            assertThat(t).isInstanceOf(IllegalArgumentException.class);
            assertThat(t.getMessage()).containsAnyOf("guest RAM", "zone", "device", "already in the plan");
        }
    }
}
