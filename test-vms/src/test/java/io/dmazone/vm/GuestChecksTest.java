package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Parsing the CHECK and VALUE lines guest scripts print. */
class GuestChecksTest {
    @Test
    void checksAndValuesKeepTheOrderPrinted() {
        GuestChecks g = GuestChecks.parse("""
                CHECK zeta PASS one
                noise
                VALUE b 2
                CHECK alpha FAIL two words
                CHECK mid PASS
                VALUE a 1 kB
                """);
        assertThat(g.checks().keySet()).containsExactly("zeta", "alpha", "mid");
        assertThat(g.values().keySet()).containsExactly("b", "a");
        assertThat(g.value("a")).hasValue("1 kB");
        assertThat(g.check("alpha")).hasValueSatisfying(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).isEqualTo("two words");
        });
    }

    @Test
    void aFailureIsNotHiddenByALaterPassOfTheSameName() {
        GuestChecks g = GuestChecks.parse("CHECK x FAIL first try\nCHECK x PASS second try\nCHECK y PASS\nCHECK y FAIL now\n");
        assertThat(g.check("x")).hasValueSatisfying(c -> assertThat(c.detail()).isEqualTo("first try"));
        assertThat(g.check("x").orElseThrow().passed()).isFalse();
        assertThat(g.check("y").orElseThrow().passed()).isFalse();
    }
}
