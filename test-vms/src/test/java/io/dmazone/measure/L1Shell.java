package io.dmazone.measure;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.vm.GuestChecks;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs the L1 companions' shell helpers (ktap.sh, l1-lib.sh) as a companion would, outside any VM. */
final class L1Shell {
    private L1Shell() {
    }

    /** Runs {@code script} in {@code dir} after ktap.sh and l1-lib.sh, and returns its output. */
    static String run(Path dir, String script) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("script.sh"), resource("ktap.sh") + "\n" + resource("l1-lib.sh") + "\n" + script);
        Process p = new ProcessBuilder("bash", "script.sh").directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = GuestChecks.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
