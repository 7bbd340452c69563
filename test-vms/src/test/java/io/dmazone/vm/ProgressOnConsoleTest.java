package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Progress#onConsole}: a bar on a terminal (a pseudo-terminal from script(1)), lines elsewhere. */
class ProgressOnConsoleTest {
    /** A phase of 3 s against a 10 s limit, a line, the end. */
    public static void main(String[] args) throws InterruptedException {
        try (Progress p = Progress.onConsole("  ")) {
            p.phase("L2 boot 1 of 3", 10);
            p.line("L2 boot 1 of 3 (limit 10 s)");
            for (int s = 1; s <= 3; s++) {
                Thread.sleep(1000);
                p.elapsed(s);
            }
            p.line("L2 at its command");
        }
        System.out.println("done");
    }

    @Test
    void aTerminalShowsTheCurrentPhaseAsABarAgainstItsLimit(@TempDir Path dir) throws Exception {
        String out = run(dir, true);
        assertThat(out).contains("L2 boot 1 of 3  30% |").contains("3/10 s");
        // the bar is cleared before each line: the lines stay whole
        assertThat(out.lines().map(l -> l.substring(l.lastIndexOf('\r') + 1)))
                .contains("  [   0 s] L2 boot 1 of 3 (limit 10 s)", "  [   3 s] L2 at its command", "done");
    }

    @Test
    void elsewhereThereAreOnlyLines(@TempDir Path dir) throws Exception {
        assertThat(run(dir, false)).isEqualTo("  [   0 s] L2 boot 1 of 3 (limit 10 s)\n  [   3 s] L2 at its command\ndone\n");
    }

    private static String run(Path dir, boolean onTerminal) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-cp", System.getProperty("java.class.path"), ProgressOnConsoleTest.class.getName());
        Path out = dir.resolve("out");
        List<String> argv = new ArrayList<>();
        if (onTerminal) {
            // script(1) gives the JVM a pseudo-terminal for stdin and stdout and copies what it wrote to out
            argv.addAll(List.of("script", "-qec", String.join(" ", cmd.stream().map(a -> "'" + a + "'").toList()),
                    out.toString()));
        } else {
            argv.addAll(cmd);
        }
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().remove("CI");
        pb.environment().put("TERM", "xterm");
        if (!onTerminal) {
            pb.redirectOutput(out.toFile());
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the demo ends").isTrue();
        assertThat(p.exitValue()).isZero();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        // script(1) adds a header and a trailer line and writes CR LF for each newline
        return onTerminal ? text.replace("\r\n", "\n") : text;
    }
}
