package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Collection;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * One dynamic test per check a guest script must print, where a check never printed, or
 * skipped, fails as one that failed; then one that the guest's KTAP output is whole (every
 * stream numbered in order and ending with its plan: nothing was cut short).
 */
final class ExpectedChecks {
    private ExpectedChecks() {
    }

    static Stream<DynamicTest> each(GuestChecks checks, Collection<String> expected, Path console) {
        Stream<DynamicTest> each = expected.stream().map(name -> DynamicTest.dynamicTest(name, () -> assertThat(
                checks.check(name)).as("check %s in the guest output (console %s)", name, console)
                .hasValueSatisfying(c -> assertThat(c.passed()).as("%s: %s", c.status(), c.detail()).isTrue())));
        return Stream.concat(each, Stream.of(DynamicTest.dynamicTest("KTAP output complete", () ->
                assertThat(checks.problems()).as("the guest's KTAP output: %d results, %d planned (console %s)",
                        checks.results(), checks.planned(), console).isEmpty())));
    }
}
