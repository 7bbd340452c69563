package example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The example runs on the artifact alone: the plan is printed and the JNI call answers. */
class PlanAndLimitTest {
    @Test
    void printsThePlanAndTheLimitReadThroughJni() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            PlanAndLimit.main(new String[0]);
        } finally {
            System.setOut(old);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertTrue(text.contains("budget: 64 MiB"), text);
        assertTrue(text.contains("-device virtio-iommu-pci,boot-bypass=off"), text);
        assertTrue(text.contains("this process may lock: MemlockLimit[soft "), text);
    }
}
