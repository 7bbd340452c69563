package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.vm.GuestChecks.Status;
import org.junit.jupiter.api.Test;

/** Parsing the KTAP that guest scripts and programs print. */
class GuestChecksTest {
    @Test
    void okAndNotOkLinesAndValuesKeepTheOrderPrinted() {
        GuestChecks g = GuestChecks.parse("""
                KTAP version 1
                ok 1 zeta # one
                noise
                # VALUE b 2
                not ok 2 alpha # two words
                ok 3 mid
                # VALUE a 1 kB
                1..3
                """);
        assertThat(g.checks().keySet()).containsExactly("zeta", "alpha", "mid");
        assertThat(g.values().keySet()).containsExactly("b", "a");
        assertThat(g.value("a")).hasValue("1 kB");
        assertThat(g.check("zeta")).hasValue(new GuestChecks.Check("zeta", Status.PASS, "one"));
        assertThat(g.check("alpha")).hasValueSatisfying(c -> {
            assertThat(c.failed()).isTrue();
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).isEqualTo("two words");
        });
        assertThat(g.check("mid")).hasValue(new GuestChecks.Check("mid", Status.PASS, ""));
        assertThat(g.complete()).as("%s", g.problems()).isTrue();
    }

    @Test
    void aFailureIsNotHiddenByALaterPassOfTheSameName() {
        GuestChecks g = GuestChecks.parse("KTAP version 1\nnot ok 1 x # first try\nok 2 x # second try\n"
                + "ok 3 y\nnot ok 4 y # now\nok 5 z # SKIP not here\nok 6 z # there\n1..6\n");
        assertThat(g.check("x")).hasValue(new GuestChecks.Check("x", Status.FAIL, "first try"));
        assertThat(g.check("y")).hasValue(new GuestChecks.Check("y", Status.FAIL, "now"));
        assertThat(g.check("z")).hasValue(new GuestChecks.Check("z", Status.PASS, "there"));
        assertThat(g.results()).isEqualTo(6);
    }

    @Test
    void aSkipIsNeitherPassedNorFailedAndNotOkWithSkipStaysAFailure() {
        GuestChecks g = GuestChecks.parse("""
                KTAP version 1
                ok 1 default_domain # SKIP no vIOMMU in config C
                ok 2 bare # SKIP
                not ok 3 broken # SKIP is no excuse
                ok 4 skipper # SKIPPED is a detail, not the directive
                1..4
                """);
        assertThat(g.check("default_domain")).hasValueSatisfying(c -> {
            assertThat(c.skipped()).isTrue();
            assertThat(c.passed()).isFalse();
            assertThat(c.failed()).isFalse();
            assertThat(c.detail()).isEqualTo("no vIOMMU in config C");
        });
        assertThat(g.check("bare")).hasValue(new GuestChecks.Check("bare", Status.SKIP, ""));
        assertThat(g.check("broken")).hasValue(new GuestChecks.Check("broken", Status.FAIL, "SKIP is no excuse"));
        assertThat(g.check("skipper").orElseThrow().passed()).isTrue();
        assertThat(g.complete()).isTrue();
    }

    @Test
    void valuesAreDiagnosticLinesAndOtherCommentsAreIgnored() {
        GuestChecks g = GuestChecks.parse("""
                KTAP version 1
                # VALUE line DMAR: [DMA Write] x # not a directive
                # VALUE empty
                # VALUE twice 1
                # VALUE twice 2
                # VALUES are not values
                # inject_rx_fault: state recovered
                #VALUE squeezed 1
                1..0
                """);
        assertThat(g.values()).containsExactly(java.util.Map.entry("line", "DMAR: [DMA Write] x # not a directive"),
                java.util.Map.entry("empty", ""), java.util.Map.entry("twice", "2"));
        assertThat(g.checks()).isEmpty();
        assertThat(g.complete()).as("%s", g.problems()).isTrue();
    }

    @Test
    void aDetailMayHoldHashes() {
        GuestChecks g = GuestChecks.parse("""
                KTAP version 1
                ok 1 ring # slot #3 at 0x1000 # twice
                not ok 2 edu # zone FAIL # errno 5
                ok 3 bare #
                ok 4 loose words without a hash
                1..4
                """);
        assertThat(g.check("ring").orElseThrow().detail()).isEqualTo("slot #3 at 0x1000 # twice");
        assertThat(g.check("edu").orElseThrow().detail()).isEqualTo("zone FAIL # errno 5");
        assertThat(g.check("bare").orElseThrow().detail()).isEmpty();
        assertThat(g.check("loose").orElseThrow().detail()).isEqualTo("words without a hash");
    }

    @Test
    void aPlanFirstOrLastThatMatchesMakesTheOutputComplete() {
        GuestChecks first = GuestChecks.parse("KTAP version 1\n1..2\nok 1 a\nok 2 b\n");
        GuestChecks last = GuestChecks.parse("KTAP version 1\r\nok 1 a\r\nok 2 b\r\n1..2\r\n");
        for (GuestChecks g : java.util.List.of(first, last)) {
            assertThat(g.complete()).as("%s", g.problems()).isTrue();
            assertThat(g.planned()).isEqualTo(2);
            assertThat(g.results()).isEqualTo(2);
            assertThat(g.problems()).isEmpty();
        }
    }

    @Test
    void aPlanThatDoesNotMatchTheResultsIsReported() {
        GuestChecks fewer = GuestChecks.parse("KTAP version 1\nok 1 a\nok 2 b\n1..3\n");
        assertThat(fewer.complete()).isFalse();
        assertThat(fewer.planned()).isEqualTo(3);
        assertThat(fewer.results()).isEqualTo(2);
        assertThat(fewer.problems()).containsExactly("stream 1: plan 1..3 but 2 results");
        GuestChecks more = GuestChecks.parse("KTAP version 1\n1..1\nok 1 a\nok 2 b\n");
        assertThat(more.problems()).containsExactly("stream 1: plan 1..1 but 2 results");
    }

    @Test
    void anOutputCutShortHasNoPlan() {
        GuestChecks g = GuestChecks.parse("KTAP version 1\nok 1 a\nnot ok 2 b # killed next\n");
        assertThat(g.complete()).isFalse();
        assertThat(g.planned()).isEqualTo(-1);
        assertThat(g.results()).isEqualTo(2);
        assertThat(g.problems()).containsExactly("stream 1: no plan after 2 results (cut short?)");
        assertThat(g.check("b").orElseThrow().failed()).isTrue();
    }

    @Test
    void aResultAfterATrailingPlanIsReported() {
        GuestChecks g = GuestChecks.parse("KTAP version 1\nok 1 a\n1..1\nnot ok 2 killed_by_l1 # not killed\n");
        assertThat(g.complete()).isFalse();
        assertThat(g.problems()).containsExactly("stream 1: result after the plan: not ok 2 killed_by_l1 # not killed",
                "stream 1: plan 1..1 but 2 results");
        assertThat(g.check("killed_by_l1").orElseThrow().failed()).isTrue();
    }

    /** A check printed from a subshell repeats the number after it and is lost from the count. */
    @Test
    void numbersOutOfSequenceAreReported() {
        GuestChecks g = GuestChecks.parse("KTAP version 1\nok 1 a\nok 2 in_subshell\nok 2 b\n1..2\n");
        assertThat(g.complete()).isFalse();
        assertThat(g.problems()).containsExactly(
                "stream 1: result 3 is numbered 2 (printed from a subshell?): ok 2 b",
                "stream 1: plan 1..2 but 3 results");
    }

    @Test
    void programsRunOneAfterTheOtherPrintAStreamEach() {
        GuestChecks g = GuestChecks.parse("""
                KTAP version 1
                ok 1 type1v2.find_edu
                1..1
                KTAP version 1
                ok 1 type1.find_edu
                ok 2 type1.bind
                # Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0
                1..2
                KTAP version 1
                # VALUE jmh_java_over_c 1.05
                """);
        assertThat(g.checks().keySet()).containsExactly("type1v2.find_edu", "type1.find_edu", "type1.bind");
        assertThat(g.results()).isEqualTo(3);
        assertThat(g.planned()).isEqualTo(-1);
        assertThat(g.problems()).containsExactly("stream 3: no plan after 0 results (cut short?)");
    }

    @Test
    void anOutputWithoutKtapIsIncomplete() {
        GuestChecks none = GuestChecks.parse("booted\nCHECK old PASS format\n");
        assertThat(none.checks()).isEmpty();
        assertThat(none.planned()).isEqualTo(-1);
        assertThat(none.problems()).containsExactly("no KTAP version line");
        GuestChecks headless = GuestChecks.parse("ok 1 a\n1..1\n");
        assertThat(headless.check("a")).isPresent();
        assertThat(headless.problems()).containsExactly("result before any KTAP version line: ok 1 a");
    }

    @Test
    void ktapLinesAreTellable() {
        assertThat(java.util.List.of("KTAP version 1", "ok 1 a # b", "not ok 2 c", "# VALUE v 1", "1..2", "  ok 3 d"))
                .allMatch(GuestChecks::isKtap);
        assertThat(java.util.List.of("booted", "okay 1 a", "ok x a", "[ 1.0] dmesg", "DMAZONE-SYNC ready"))
                .noneMatch(GuestChecks::isKtap);
    }
}
