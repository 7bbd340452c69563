package io.dmazone.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.vm.GuestChecks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The KTAP a Java guest program prints, as GuestChecks reads it. */
class CheckReportTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CheckReport report = new CheckReport(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checksSkipsAndValuesThenTheTotalsAndThePlan() {
        report.value("backend", "TYPE1V2");
        report.check("find_edu", true, "edu at 0000:00:03.0");
        report.check("map", false, "two\nlines # and a hash");
        report.skip("identity", "no IOMMU");
        report.info("a note");
        report.check("bare", true, "");
        assertThat(report.end()).isEqualTo(1);
        assertThat(printed()).isEqualTo("""
                KTAP version 1
                # VALUE backend TYPE1V2
                ok 1 find_edu # edu at 0000:00:03.0
                not ok 2 map # two lines # and a hash
                ok 3 identity # SKIP no IOMMU
                # a note
                ok 4 bare
                # Totals: pass:2 fail:1 xfail:0 xpass:0 skip:1 error:0
                1..4
                """);
        GuestChecks g = GuestChecks.parse(printed());
        assertThat(g.complete()).as("%s", g.problems()).isTrue();
        assertThat(g.check("map").orElseThrow().detail()).isEqualTo("two lines # and a hash");
        assertThat(g.check("identity").orElseThrow().skipped()).isTrue();
        assertThat(g.value("backend")).hasValue("TYPE1V2");
    }

    /** The version line comes with the first line printed: a child that prints READY first stays readable. */
    @Test
    void nothingIsPrintedBeforeTheFirstLine() {
        assertThat(printed()).isEmpty();
        assertThat(report.end()).isZero();
        assertThat(printed()).isEqualTo("KTAP version 1\n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\n1..0\n");
    }

    @Test
    void aChildsKtapIsRenumberedIntoThisStream() {
        report.check("before", true, "mine");
        for (String line : """
                KTAP version 1
                # VALUE child_capeff 0
                ok 1 memlock_2x_fails # ENOMEM
                not ok 2 memlock_nothing_pinned # VmLck 4 KiB
                ok 3 memlock_zone_fits # SKIP no room
                Exception in thread "main"
                # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
                1..3
                """.split("\n")) {
            report.relay("child", line);
        }
        report.check("after", true, "mine");
        assertThat(report.end()).isEqualTo(1);
        assertThat(printed()).isEqualTo("""
                KTAP version 1
                ok 1 before # mine
                # child: KTAP version 1
                # VALUE child_capeff 0
                ok 2 memlock_2x_fails # ENOMEM
                not ok 3 memlock_nothing_pinned # VmLck 4 KiB
                ok 4 memlock_zone_fits # SKIP no room
                # child: Exception in thread "main"
                # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
                # child: 1..3
                ok 5 after # mine
                # Totals: pass:3 fail:1 xfail:0 xpass:0 skip:1 error:0
                1..5
                """);
        GuestChecks g = GuestChecks.parse(printed());
        assertThat(g.complete()).as("%s", g.problems()).isTrue();
        assertThat(g.checks().keySet()).containsExactly("before", "memlock_2x_fails", "memlock_nothing_pinned",
                "memlock_zone_fits", "after");
        assertThat(g.value("child_capeff")).hasValue("0");
    }
}
