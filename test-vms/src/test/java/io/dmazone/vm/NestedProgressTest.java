package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NestedProgressTest {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Test
    void eachPhaseOfTheRunIsReportedWithItsLimit(@TempDir Path share) throws Exception {
        NestedSpec spec = NestedSpec.builder("progress").passthrough(GuestDevice.EDU).l2Command("true").build();
        Path events = share.resolve("events.log");
        try (NestedProgress p = NestedProgress.follow(events, spec, Progress.lines(lines::add))) {
            awaitLine(l -> l.endsWith("] L1 booting"));
            append(events, "1000 dma_entry_limit 1048576", "1100 l2-started pid 7 attempt 1 memlock-limit x x");
            awaitLine(l -> l.endsWith("] L2 boot 1 of 3 (limit 600 s)"));
            append(events, "9000 l2-boot-hung attempt 1 reason no console output for 120 s",
                    "9100 l2-started pid 8 attempt 2 memlock-limit x x", "9900 l2-command-started");
            awaitLine(l -> l.endsWith("] L2 command (limit 480 s)"));
            append(events, "20000 l2-command-exited", "20100 l2-exited qemu-status 0");
            awaitLine(l -> l.endsWith("] L1 finishing (companion, shutdown)"));
        }
        assertThat(lines).map(l -> l.substring(l.indexOf(']') + 2)).containsExactly(
                "L1 booting", "L1 at its command", "L1 setting up L2", "L2 boot 1 of 3 (limit 600 s)",
                "L2 boot 1 hung: no console output for 120 s", "L2 boot 2 of 3 (limit 600 s)",
                "L2 at its command after 0.8 s of boot", "L2 command (limit 480 s)", "L2 exiting",
                "L1 finishing (companion, shutdown)");
    }

    @Test
    void anL1RunAgainAfterAStallStartsOver(@TempDir Path share) throws Exception {
        NestedSpec spec = NestedSpec.builder("progress").passthrough(GuestDevice.EDU).l2Command("true").build();
        Path events = share.resolve("events.log");
        try (NestedProgress p = NestedProgress.follow(events, spec, Progress.lines(lines::add))) {
            append(events, "1000 dma_entry_limit 1048576", "1100 l2-started pid 7 attempt 1 memlock-limit x x");
            awaitLine(l -> l.endsWith("] L2 boot 1 of 3 (limit 600 s)"));
            Files.writeString(events, "");
            awaitLine(l -> l.endsWith("] L1 booting again"));
        }
    }

    private static void append(Path file, String... eventLines) throws Exception {
        Files.writeString(file, String.join("\n", eventLines) + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private void awaitLine(Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (lines.stream().noneMatch(wanted) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(lines).as("progress lines so far").anyMatch(wanted);
    }
}
