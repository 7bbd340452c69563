package io.dmazone.sysfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** {@link PciAddress#parse(String)} on 10,000 generated inputs. */
class PciAddressPropertyTest {
    @Provide
    static Arbitrary<String> addressTexts() {
        Arbitrary<String> hex = Arbitraries.strings().withChars("0123456789abcdefABCDEFgx").ofMinLength(0).ofMaxLength(5);
        Arbitrary<String> sep = Arbitraries.of(":", ".", "", "-", " ");
        Arbitrary<String> shaped = Combinators.combine(hex, sep, hex, sep, hex, sep, hex)
                .as((a, s1, b, s2, c, s3, d) -> a + s1 + b + s2 + c + s3 + d);
        return Arbitraries.oneOf(shaped, Arbitraries.strings().ofMaxLength(16));
    }

    @Property(tries = 10_000)
    void parsesOrSaysWhatTheFormIs(@ForAll("addressTexts") String text) {
        Throwable t = catchThrowable(() -> {
            PciAddress a = PciAddress.parse(text);
            assertThat(PciAddress.parse(a.toString())).isEqualTo(a);
        });
        if (t != null) {
            assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PCI");
        }
    }

    @Property(tries = 10_000)
    void everyAddressReadsBackFromItsText(@ForAll @IntRange(min = 0, max = 0xffff) int domain,
                                          @ForAll @IntRange(min = 0, max = 0xff) int bus,
                                          @ForAll @IntRange(min = 0, max = 0x1f) int device,
                                          @ForAll @IntRange(min = 0, max = 7) int function) {
        PciAddress a = new PciAddress(domain, bus, device, function);
        assertThat(PciAddress.parse(a.toString())).isEqualTo(a);
    }
}
