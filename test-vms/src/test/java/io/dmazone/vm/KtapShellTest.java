package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ktap.sh, the guest scripts' emitter, under the shells that run it, read back by GuestChecks. */
class KtapShellTest {
    private static final String SCRIPT = """
            check first 0 fine detail
            false
            check second $? "two
            lines" '100% \\n # hash'
            skip third no vIOMMU here
            value zone_bytes 67108864
            note "a
            note"
            check bare 0
            ktap_relay "$(printf 'KTAP version 1\\nok 1 child_a # x\\nnot ok 2 child_b\\nok 3 child_c # SKIP no\\n# VALUE child_v 3\\n1..3\\n')"
            check last 0
            ktap_end
            echo "status $? failed $failed"
            """;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"sh", "bash", "busybox sh"})
    void theEmittersOutputIsCompleteKtap(String shell) throws Exception {
        List<String> command = List.of((shell + " script.sh").split(" "));
        Assumptions.assumeTrue(onPath(command.get(0)), command.get(0) + " is not installed");
        Files.writeString(dir.resolve("script.sh"), L2Commands.read("ktap.sh") + "\n" + SCRIPT);
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("""
                KTAP version 1
                ok 1 first # fine detail
                not ok 2 second # two lines 100% \\n # hash
                ok 3 third # SKIP no vIOMMU here
                # VALUE zone_bytes 67108864
                # a note
                ok 4 bare
                # relayed: KTAP version 1
                ok 5 child_a # x
                not ok 6 child_b
                ok 7 child_c # SKIP no
                # VALUE child_v 3
                # relayed: 1..3
                ok 8 last
                # Totals: pass:4 fail:2 xfail:0 xpass:0 skip:2 error:0
                1..8
                status 1 failed 1
                """);
        GuestChecks g = GuestChecks.parse(out);
        assertThat(g.complete()).as("%s", g.problems()).isTrue();
        assertThat(g.check("second").orElseThrow().detail()).isEqualTo("two lines 100% \\n # hash");
        assertThat(g.check("third").orElseThrow().skipped()).isTrue();
        assertThat(g.check("child_b").orElseThrow().failed()).isTrue();
        assertThat(g.values()).containsOnlyKeys("zone_bytes", "child_v");
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
