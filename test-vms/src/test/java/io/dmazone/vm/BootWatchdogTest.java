package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The watchdog's verdicts on console lines: no VM, the lines of real hangs. */
class BootWatchdogTest {
    private static final long S = 1_000_000_000L;

    @ParameterizedTest
    @ValueSource(strings = {
        "[   23.118012] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
        "rcu: rcu_preempt kthread timer wakeup didn't happen for 5225 jiffies! g-1091 f0x0",
        "[   52.000000] watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [swapper/0:1]",
        "[  245.1] INFO: task kworker/0:1:12 blocked for more than 120 seconds.",
        "KVM internal error. Suberror: 1",
        "qemu-system-x86_64: ../system/physmem.c:2474: iotlb_to_section: Assertion `section_index < d->map.sections_nb' failed."})
    void aHangReportBeforeTheCommandIsAVerdict(String line) {
        BootWatchdog w = new BootWatchdog(Duration.ofSeconds(90), 0);
        w.line("[    2.5] i8042: PNP: PS/2 Controller at 0x60,0x64 irq 1,12", S);
        assertThat(w.verdict()).isEmpty();
        w.line(line, 2 * S);
        assertThat(w.verdict()).hasValueSatisfying(v -> assertThat(v).contains(line.trim()));
    }

    @Test
    void theSameReportOnceTheCommandRunsIsTheCommandsBusiness() {
        BootWatchdog w = new BootWatchdog(Duration.ofSeconds(90), 0);
        w.line(VngCommandLine.FACTS_MARKER + " uptime=12.0 kernel=6.12.117-dmazone clocksources=tsc", S);
        w.line("rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:", 2 * S);
        w.tick(1000 * S);
        assertThat(w.commandStarted()).isTrue();
        assertThat(w.verdict()).isEmpty();
    }

    @Test
    void silenceBeyondTheLimitIsAVerdictAndLinesResetIt() {
        BootWatchdog w = new BootWatchdog(Duration.ofSeconds(90), 0);
        w.tick(89 * S);
        w.line("[   80.0] still booting", 89 * S);
        w.tick(178 * S);
        assertThat(w.verdict()).as("89 s after the last line").isEmpty();
        w.tick(180 * S);
        assertThat(w.verdict()).hasValue("no console output for 90 s before the guest command started");
    }

    @Test
    void theHarnessesOwnNotesDoNotStartTheCommand() {
        BootWatchdog w = new BootWatchdog(Duration.ofSeconds(90), 0);
        w.line("# vng ... " + VngCommandLine.FACTS_MARKER + " uptime=x", S);
        assertThat(w.commandStarted()).isFalse();
    }
}
