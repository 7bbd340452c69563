package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.zone.VIommu;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The Java API against a real device: in one L1 VM (q35 + intel-iommu + edu), the
 * userspace edu driver written on the API runs its checks for type1v2 and type1,
 * then the JMH MAP_DMA+UNMAP_DMA benchmark runs beside the same loop in C.
 */
@Tag("vm")
class JavaEduDriverIT {
    private static final List<String> BACKENDS = List.of("type1v2", "type1");
    private static final List<String> CHECKS = List.of("find_edu", "bind_vfio_pci", "iommu_info", "edu_registers",
            "vmlck_mapped", "dma_roundtrip", "dma_unmapped_iova", "vmlck_after_close", "wrong_bdf",
            "memlock_2x_fails", "memlock_nothing_pinned", "memlock_zone_fits", "memlock_child_exit",
            "kill_releases_pins", "restore_driver", "not_bound_to_vfio", "group_not_viable",
            "group_not_viable_restored");
    private static VmResult result;
    private static GuestChecks checks;

    @BeforeAll
    static void boot() {
        Path module = Project.root().resolve("test-vms");
        String cp = Project.guestClasspath();
        StringBuilder cmd = new StringBuilder("set -o pipefail; status=0\n");
        for (String backend : BACKENDS) {
            // Both backends print the same check names: prefix them with the backend.
            cmd.append("java -cp '").append(cp).append("' io.dmazone.guest.EduVfioCheck ").append(backend)
                    .append(" | sed -E 's/^((not )?ok [0-9]+ |# VALUE )/\\1").append(backend).append("./' || status=1\n");
        }
        cmd.append("java -cp '").append(cp).append("' io.dmazone.guest.MapUnmapRatio type1v2 ")
                .append(module.resolve("src/main/c/vfio_map_bench.c")).append(" || status=1\n");
        cmd.append("exit $status\n");
        result = Vm.run(VmSpec.builder("java-edu")
                .viommu(VIommu.INTEL_IOMMU)
                .device(GuestDevice.EDU_64BIT)
                .command(cmd.toString())
                .timeout(Duration.ofMinutes(12))
                .build());
        checks = GuestChecks.parse(result.output());
        System.out.printf("java-edu: %s, booted in %.1f s, %.1f s wall; VmLck mapped %s / after close %s;"
                        + " JMH Java/C %s (interval %s), target <= 1.1: %s%n", result.accel(), result.bootSeconds(),
                result.wallSeconds(),
                checks.value("type1v2.vmlck_mapped_kb").orElse("?"),
                checks.value("type1v2.vmlck_after_close_kb").orElse("?"),
                checks.value("jmh_java_over_c").orElse("?"), checks.value("jmh_java_over_c_interval").orElse("?"),
                checks.value("target_java_over_c_at_most_1.1").orElse("?"));
    }

    @TestFactory
    Stream<DynamicTest> everyCheckPassedForEveryBackend() {
        return ExpectedChecks.each(checks,
                BACKENDS.stream().flatMap(backend -> CHECKS.stream().map(name -> backend + "." + name)).toList(),
                result.consoleLog());
    }

    /** A benchmark, not a timed test: the ratio must have been measured and judged, whatever the verdict. */
    @Test
    void benchmarkMeasuredTheJavaOverCRatioAndJudgedItsTarget() {
        assertThat(checks.value("jmh_java_over_c")).as("output:%n%s", result.output())
                .hasValueSatisfying(v -> assertThat(Double.parseDouble(v)).isPositive().isFinite());
        assertThat(checks.value("target_java_over_c_at_most_1.1")).as("output:%n%s", result.output())
                .hasValueSatisfying(v -> assertThat(v).isIn("met", "missed", "unresolved"));
    }

    @Test
    void vmLckIsTheZoneWhileMappedAndZeroAfterClose() {
        for (String backend : BACKENDS) {
            assertThat(checks.value(backend + ".vmlck_mapped_kb")).hasValue("16384");
            assertThat(checks.value(backend + ".vmlck_after_close_kb")).hasValue("0");
        }
    }

    @Test
    void guestExitedZero() {
        assertThat(result.exitStatus()).as("output:%n%s", result.output()).isZero();
    }
}
