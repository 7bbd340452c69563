package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dmazone.zone.VIommu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link VmSpec} and {@link NestedSpec} on 10,000 generated specs each: they build, or fail
 * with an {@link IllegalArgumentException} whose message starts with the field at fault.
 * The VM specs name a stand-in kernel file, so no built kernel is needed.
 */
class SpecPropertyTest {
    static final Path KERNEL = standInKernel();

    static final String VM_FIELDS = "(?s)^(name|kernel|memoryMiB|cpus|machine|devices|kernelArgs|command|timeout|bootTimeout"
            + "|bootSilence|bootAttempts|stalledBoots): .*";
    static final String NESTED_FIELDS = "(?s)^(name|l1MemoryMiB|l2MemoryMiB|passthrough|l2Modules?|l2Binar(y|ies)|l2KernelArgs?"
            + "|l2Command|l2Timeout|l2BootTimeout|l2BootSilence|l2FirstOutput|l2BootAttempts|l2StalledBoots|sampleSeconds"
            + "|dmaEntryLimit): .*";

    private static Path standInKernel() {
        try {
            Path k = Files.createTempFile("dmazone-stand-in", ".bzImage");
            k.toFile().deleteOnExit();
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Provide
    static Arbitrary<String> names() {
        return Arbitraries.oneOf(Arbitraries.strings().alpha().numeric().withChars("._- /").ofMaxLength(70),
                Arbitraries.of("l1", "a", "x".repeat(64), "x".repeat(65), ".hidden", ""));
    }

    @Provide
    static Arbitrary<Duration> durations() {
        return Arbitraries.longs().between(-5, 2000).map(Duration::ofSeconds);
    }

    @Provide
    static Arbitrary<List<String>> kernelArgs() {
        return Arbitraries.oneOf(Arbitraries.strings().withChars("ab=1 \n").ofMaxLength(8),
                Arbitraries.strings().alpha().ofLength(300)).list().ofMaxSize(6);
    }

    @Property(tries = 10_000)
    void aVmSpecBuildsOrNamesItsField(@ForAll("names") String name, @ForAll int memoryMiB, @ForAll int cpus,
                                      @ForAll("machines") String machine, @ForAll VIommu viommu,
                                      @ForAll("kernelArgs") List<String> args, @ForAll("commands") String command,
                                      @ForAll("durations") Duration timeout, @ForAll("durations") Duration bootTimeout,
                                      @ForAll("durations") Duration bootSilence, @ForAll("smallInts") int attempts,
                                      @ForAll("smallInts") int stalled) {
        Throwable t = catchThrowable(() -> {
            VmSpec.Builder b = VmSpec.builder(name).kernel(KERNEL).memoryMiB(memoryMiB).cpus(cpus).machine(machine)
                    .viommu(viommu).timeout(timeout).bootTimeout(bootTimeout).bootSilence(bootSilence)
                    .bootAttempts(attempts).stalledBoots(stalled);
            args.forEach(b::kernelArg);
            if (command != null) {
                b.command(command);
            }
            VmSpec s = b.build();
            assertThat(s.memoryMiB()).isBetween(1, 16384);
            assertThat(s.stalledBoots()).isBetween(0, s.bootAttempts());
        });
        if (t != null) {
            assertThat(t).isInstanceOf(IllegalArgumentException.class);
            assertThat(t.getMessage()).matches(VM_FIELDS);
        }
    }

    @Property(tries = 10_000)
    void aNestedSpecBuildsOrNamesItsField(@ForAll("names") String name, @ForAll("mebibytes") int l1, @ForAll("mebibytes") int l2,
                                          @ForAll("devices") List<GuestDevice> devices, @ForAll("commands") String command,
                                          @ForAll("durations") Duration l2Timeout, @ForAll("durations") Duration l2BootTimeout,
                                          @ForAll("durations") Duration l2BootSilence,
                                          @ForAll("durations") Duration l2FirstOutput, @ForAll("smallInts") int attempts,
                                          @ForAll("seconds") double sampleSeconds, @ForAll int dmaEntryLimit) {
        Throwable t = catchThrowable(() -> {
            NestedSpec.Builder b = NestedSpec.builder(name).l1MemoryMiB(l1).l2MemoryMiB(l2).l2Timeout(l2Timeout)
                    .l2BootTimeout(l2BootTimeout).l2BootSilence(l2BootSilence).l2FirstOutput(l2FirstOutput)
                    .l2BootAttempts(attempts)
                    .sampleSeconds(sampleSeconds).dmaEntryLimit(dmaEntryLimit);
            devices.forEach(b::passthrough);
            if (command != null) {
                b.l2Command(command);
            }
            NestedSpec s = b.build();
            assertThat(s.l2MemoryMiB() + 512).isLessThanOrEqualTo(s.l1MemoryMiB());
        });
        if (t != null) {
            assertThat(t).isInstanceOf(IllegalArgumentException.class);
            assertThat(t.getMessage()).matches(NESTED_FIELDS);
        }
    }

    @Provide
    static Arbitrary<String> machines() {
        return Arbitraries.of("q35", "pc", "", " ", "microvm");
    }

    @Provide
    static Arbitrary<String> commands() {
        return Arbitraries.of("true", "", "  ", "echo hi", null);
    }

    @Provide
    static Arbitrary<Integer> smallInts() {
        return Arbitraries.integers().between(-2, 7);
    }

    @Provide
    static Arbitrary<Integer> mebibytes() {
        return Arbitraries.oneOf(Arbitraries.integers().between(-10, 3000), Arbitraries.integers());
    }

    @Provide
    static Arbitrary<Double> seconds() {
        return Arbitraries.doubles().between(-1, 20);
    }

    @Provide
    static Arbitrary<List<GuestDevice>> devices() {
        return Arbitraries.of(GuestDevice.values()).list().ofMaxSize(3);
    }
}
