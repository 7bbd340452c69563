package io.dmazone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** {@link Sizes#parse(String)} on 10,000 generated inputs: a size, or the documented rejection. */
class SizesPropertyTest {
    /** Strings people might type, near-misses, and noise. */
    @Provide
    static Arbitrary<String> sizeTexts() {
        Arbitrary<String> number = Arbitraries.longs().between(-5, Long.MAX_VALUE).map(n -> Long.toString(n));
        Arbitrary<String> suffix = Arbitraries.of("", "K", "M", "G", "T", "KiB", "MiB", "GiB", "B", "b", "kb", "X", "iB", " M");
        Arbitrary<String> written = Combinators.combine(number, suffix).as((n, u) -> n + u);
        Arbitrary<String> hex = Arbitraries.strings().withChars("0123456789abcdefxX").ofMinLength(0).ofMaxLength(18)
                .map(h -> "0x" + h);
        Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(24);
        return Arbitraries.oneOf(written, hex, noise, Arbitraries.of("", " ", "M", "0x", "-0", "9223372036854775807T"));
    }

    @Property(tries = 10_000)
    void parsesOrRejectsWithTheFormsNamed(@ForAll("sizeTexts") String text) {
        Throwable t = catchThrowable(() -> assertThat(Sizes.parse(text)).isNotNegative());
        if (t != null) {
            assertThat(t).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("size").hasMessageContaining("64M");
        }
    }

    @Property(tries = 10_000)
    void whatIsWrittenWithAUnitIsReadBack(@ForAll @LongRange(min = 0, max = 1L << 40) long n,
                                          @ForAll("units") String unit) {
        long scale = switch (unit.charAt(0)) {
            case 'K' -> Sizes.KIB;
            case 'M' -> Sizes.MIB;
            case 'G' -> Sizes.GIB;
            default -> Sizes.TIB;
        };
        Throwable t = catchThrowable(() -> assertThat(Sizes.parse(n + unit)).isEqualTo(Math.multiplyExact(n, scale)));
        if (t != null) {
            // Only overflow may refuse a well-formed size.
            assertThat(t).isInstanceOf(IllegalArgumentException.class);
            assertThat(catchThrowable(() -> Math.multiplyExact(n, scale))).isInstanceOf(ArithmeticException.class);
        }
    }

    @Provide
    static Arbitrary<String> units() {
        return Arbitraries.of("K", "M", "G", "T", "KiB", "MiB", "GiB", "TiB");
    }
}
