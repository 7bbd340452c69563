package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.zone.VIommu;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Boots one VM for one of kmod's guest test configurations (A: intel-iommu,
 * B: intel-iommu with iommu=pt, C: no vIOMMU) and turns every check the guest
 * script printed into a test.
 */
final class KmodGuestSuite {
    /** The zone every configuration reserves: 64 MiB at 1 GiB. */
    static final String MEMMAP = "memmap=64M$0x40000000";

    private final VmResult result;
    private final GuestChecks checks;

    private KmodGuestSuite(VmResult result) {
        this.result = result;
        this.checks = GuestChecks.parse(result.output());
    }

    static KmodGuestSuite run(String config, VIommu viommu, String... extraKernelArgs) {
        Path kmod = Project.root().resolve("kmod");
        assertThat(kmod.resolve("dmazone.ko")).as("build kmod first (mvn verify builds it)").exists();
        VmSpec.Builder spec = VmSpec.builder("kmod-" + config)
                .viommu(viommu)
                .device(GuestDevice.EDU_64BIT)
                .kernelArg(MEMMAP)
                .command("bash " + kmod.resolve("tests/guest/dmazone-tests.sh") + " --config " + config)
                .timeout(Duration.ofMinutes(6));
        for (String arg : extraKernelArgs) {
            spec.kernelArg(arg);
        }
        VmResult result = Vm.run(spec.build());
        System.out.printf("kmod-%s: %s, booted in %.1f s, %.1f s wall, tests %s s%n", config, result.accel(),
                result.bootSeconds(), result.wallSeconds(),
                GuestChecks.parse(result.output()).value("wall_seconds").orElse("?"));
        return new KmodGuestSuite(result);
    }

    GuestChecks checks() {
        return checks;
    }

    VmResult result() {
        return result;
    }

    /** One test per expected check (missing ones fail), the debug kernel's detectors, then the guest's verdict. */
    Stream<DynamicTest> tests(List<String> expected) {
        Stream<DynamicTest> each = Stream.concat(ExpectedChecks.each(checks, expected, result.consoleLog()),
                DebugKernelDetectors.ifDebugKernel(result.consoleLog()));
        return Stream.concat(each, Stream.of(DynamicTest.dynamicTest("guest exit status", () ->
                assertThat(result.exitStatus()).as("output:%n%s", result.output()).isZero())));
    }

}
