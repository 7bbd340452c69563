package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * On the debug test kernel (kernel/debug.config), proof that its detectors ran: a clean kernel
 * log only means something if KASAN and lockdep were there to write in it.
 */
final class DebugKernelDetectors {
    private DebugKernelDetectors() {
    }

    /** One test on the debug kernel, none on the others. */
    static Stream<DynamicTest> ifDebugKernel(Path console) {
        if (!"debug".equals(Kernels.selected().variant())) {
            return Stream.empty();
        }
        return Stream.of(DynamicTest.dynamicTest("debug kernel: KASAN and lockdep were on", () ->
                assertThat(Files.readString(console)).as("console %s", console)
                        .contains("KernelAddressSanitizer initialized")
                        .contains("Lock dependency validator")));
    }
}
