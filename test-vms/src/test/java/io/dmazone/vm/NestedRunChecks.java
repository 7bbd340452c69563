package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One nested run per test class: boots {@link #spec()} once, parses the KTAP output of L2's
 * command and of L1's companion, prints their check lines, and checks that neither stream was
 * cut short. Subclasses check what their scenario must show with {@link #passed}.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NestedRunChecks {
    NestedResult run;
    GuestChecks l2;
    GuestChecks l1;

    /** The run this class checks. */
    abstract NestedSpec spec();

    @BeforeAll
    void run() {
        NestedSpec spec = spec();
        run = NestedRun.run(spec);
        l2 = GuestChecks.parse(run.l2Output());
        l1 = GuestChecks.parse(run.l1CompanionOutput());
        System.out.println(spec.name() + ": L2 booted in " + run.l2BootWallSeconds() + " s wall");
        System.out.print(run.l2Output().lines().filter(GuestChecks::isKtap)
                .map(l -> "   L2: " + l + "\n").reduce("", String::concat));
        System.out.print(run.l1CompanionOutput().lines().filter(GuestChecks::isKtap)
                .map(l -> "   L1: " + l + "\n").reduce("", String::concat));
    }

    /** {@code side}'s ("L1" or "L2") check {@code name} was printed and passed. */
    void passed(GuestChecks checks, String side, String name) {
        assertThat(checks.check(name)).as("%s check %s; L2 output:%n%s%nL1 companion:%n%s", side, name,
                run.l2Output(), run.l1CompanionOutput())
                .hasValueSatisfying(c -> assertThat(c.passed()).as("%s %s: %s", side, name, c.detail()).isTrue());
    }

    /** Neither side was cut short: each stream ends with its plan, and its numbers add up. */
    @Test
    void bothSidesKtapOutputIsComplete() {
        assertThat(l2.problems()).as("L2's KTAP output:%n%s", run.l2Output()).isEmpty();
        assertThat(l1.problems()).as("L1 companion's KTAP output:%n%s", run.l1CompanionOutput()).isEmpty();
    }
}
