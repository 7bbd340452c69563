package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Collection;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/** One dynamic test per check a guest script must print: a check never printed fails as one that failed. */
final class ExpectedChecks {
    private ExpectedChecks() {
    }

    static Stream<DynamicTest> each(GuestChecks checks, Collection<String> expected, Path console) {
        return expected.stream().map(name -> DynamicTest.dynamicTest(name, () -> assertThat(checks.check(name))
                .as("check %s in the guest output (console %s)", name, console)
                .hasValueSatisfying(c -> assertThat(c.passed()).as(c.detail()).isTrue())));
    }
}
