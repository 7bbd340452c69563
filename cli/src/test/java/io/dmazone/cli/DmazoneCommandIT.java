package io.dmazone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dmazone.Sizes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code bin/dmazone} run as a process, as users and scripts run it. */
class DmazoneCommandIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String NIC = "0000:00:09.0";

    @ParameterizedTest
    @ValueSource(strings = {"check", "devices", "bind", "unbind", "plan", "launch", "footprint", "matrix"})
    void everySubcommandHasHelp(String sub) throws Exception {
        DmazoneProcess r = DmazoneProcess.run(sub, "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).startsWith("Usage: dmazone " + sub).contains("-v, --verbose").contains("-q, --quiet");
    }

    /** Each fact is reported, agrees with what /sys and /proc say, and the status follows the missing ones. */
    @Test
    void checkReportsEveryFactAndFailsWhenOneIsMissing() throws Exception {
        DmazoneProcess r = DmazoneProcess.run("check", "--json");
        JsonNode doc = JSON.readTree(r.stdout());
        List<String> names = new ArrayList<>();
        boolean missing = false;
        for (JsonNode f : doc.get("facts")) {
            names.add(f.get("name").asText());
            missing |= f.get("status").asText().equals("missing");
            if (!f.get("status").asText().equals("ok")) {
                assertThat(f.get("advice").asText()).as("advice for %s", f.get("name")).isNotEmpty();
            }
        }
        assertThat(names).containsExactly("iommu", "iommu_groups", "vfio", "vfio_pci", "vfio_iommu_type1",
                "vfio_container", "iommufd", "memlock", "cap_ipc_lock", "hugepages");
        assertThat(r.exitCode()).isEqualTo(missing ? 1 : 0);
        assertThat(doc.get("ready").asBoolean()).isEqualTo(!missing);

        boolean hostHasIommu;
        try (Stream<Path> units = Files.list(Path.of("/sys/class/iommu"))) {
            hostHasIommu = units.findAny().isPresent();
        }
        assertThat(fact(doc, "iommu").get("status").asText()).isEqualTo(hostHasIommu ? "ok" : "missing");
        assertThat(fact(doc, "vfio_pci").get("status").asText())
                .isEqualTo(Files.isDirectory(Path.of("/sys/module/vfio_pci")) ? "ok" : "missing");
        // The command inherits this JVM's limit: it must report the same soft limit.
        String limits = Files.readString(Path.of("/proc/self/limits"));
        String soft = limits.lines().filter(l -> l.startsWith("Max locked memory")).findFirst().orElseThrow()
                .substring("Max locked memory".length()).strip().split("\\s+")[0];
        String expected = soft.equals("unlimited") ? "soft unlimited" : "soft " + Sizes.format(Long.parseLong(soft));
        assertThat(fact(doc, "memlock").get("value").asText()).startsWith(expected);

        DmazoneProcess text = DmazoneProcess.run("check");
        assertThat(text.exitCode()).isEqualTo(r.exitCode());
        assertThat(text.stdout().lines().filter(l -> l.matches("^(ok|missing|note) +\\S+ .*"))).hasSize(names.size());
    }

    /**
     * The budget for a 4 GiB guest with a 64 MiB zone, worked out by hand: without a vIOMMU or
     * with intel-iommu (one device) QEMU pins the 4 GiB plus 64 MiB of ROM/VGA slack; with
     * virtio-iommu (boot-bypass off) the zone alone.
     */
    @ParameterizedTest(name = "{0}: {1} MiB")
    @CsvSource({"virtio, 64, 'virtio-iommu-pci,boot-bypass=off'", "intel, 4160, 'intel-iommu,intremap=on,caching-mode=on'",
        "none, 4160, "})
    void planPrintsTheBudgetOfEachViommu(String viommu, long budgetMiB, String device) throws Exception {
        DmazoneProcess r = DmazoneProcess.run("plan", "--guest-ram", "4G", "--zone", "64M@0x40000000",
                "--viommu", viommu, "--device", NIC, "--json");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode plan = JSON.readTree(r.stdout());
        assertThat(plan.get("memlockBytes").asLong()).isEqualTo(budgetMiB * Sizes.MIB);
        List<String> args = new ArrayList<>();
        plan.get("qemuArgs").forEach(a -> args.add(a.asText()));
        assertThat(args).containsSequence("-m", "4096M").containsSequence("-device", "vfio-pci,host=" + NIC);
        if (device != null) {
            assertThat(args).containsSequence("-device", device);
        } else {
            assertThat(args).noneMatch(a -> a.contains("iommu"));
        }
        assertThat(plan.get("kernelCmdline").asText()).startsWith("memmap=64M$0x40000000 dmazone.base=0x40000000");
        assertThat(plan.get("startupPeak").asText()).isNotBlank();

        DmazoneProcess qemuArgs = DmazoneProcess.run("plan", "--guest-ram", "4G", "--zone", "64M@0x40000000",
                "--viommu", viommu, "--device", NIC, "--format", "qemu-args");
        assertThat(qemuArgs.stdout().lines().toList()).isEqualTo(args);
    }

    @Test
    void planWithHotAddStartsWithARootPortAndPinsNothingAtStart() throws Exception {
        DmazoneProcess r = DmazoneProcess.run("plan", "--guest-ram", "4G", "--zone", "64M@0x40000000",
                "--viommu", "intel", "--device", NIC, "--hot-add", "--json");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode plan = JSON.readTree(r.stdout());
        assertThat(plan.get("startupPinnedBytes").asLong()).isZero();
        assertThat(plan.get("memlockBytes").asLong()).isEqualTo(64 * Sizes.MIB);
        assertThat(plan.get("hotAddDevices").get(0).asText())
                .isEqualTo("vfio-pci,host=" + NIC + ",bus=dmazone-port0,id=dmazone-dev0");
        assertThat(plan.get("qemuArgs").toString()).contains("pcie-root-port,id=dmazone-port0").doesNotContain("vfio-pci");
        DmazoneProcess text = DmazoneProcess.run("plan", "--guest-ram", "4G", "--zone", "64M@0x40000000",
                "--viommu", "intel", "--device", NIC, "--hot-add");
        assertThat(text.stdout()).contains("device_add:      vfio-pci,host=" + NIC).contains("pins nothing");
    }

    @Test
    void footprintReadsALiveProcessAndRefusesAGoneOne() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            DmazoneProcess r = DmazoneProcess.run("footprint", "--json", Long.toString(sleeper.pid()));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            JsonNode f = JSON.readTree(r.stdout());
            assertThat(f.get("pid").asLong()).isEqualTo(sleeper.pid());
            assertThat(f.get("vmLckBytes").asLong()).isZero();
            assertThat(f.get("vmRssBytes").asLong()).isPositive();
            DmazoneProcess watch = DmazoneProcess.run("footprint", "--watch", "--count", "3", "--interval", "0.1", "-v",
                    Long.toString(sleeper.pid()));
            assertThat(watch.stdout().lines()).hasSize(3).allMatch(l -> l.contains("pid " + sleeper.pid()));
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
        DmazoneProcess gone = DmazoneProcess.run("footprint", Long.toString(sleeper.pid()));
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.stderrLines()).singleElement().asString().contains("it has exited");
    }

    /** The command QEMU would be sees the plan's budget as its limit and no CAP_IPC_LOCK; its status comes back. */
    @Test
    void launchRunsTheCommandUnderTheBudgetWithoutIpcLock() throws Exception {
        // A 2 MiB zone: a budget below any default hard limit, so lowering needs no privilege.
        String probe = "grep 'Max locked memory' /proc/self/limits; grep CapEff /proc/self/status; exit ${EXIT}";
        DmazoneProcess ok = DmazoneProcess.run("launch", "--guest-ram", "512M", "--zone", "2M", "--viommu", "virtio",
                "--device", NIC, "--", "env", "EXIT=0", "sh", "-c", probe);
        assertThat(ok.exitCode()).as(ok.stderr()).isZero();
        assertThat(ok.stdout()).containsPattern("Max locked memory\\s+2097152\\s+2097152\\s+bytes");
        long capEff = Long.parseUnsignedLong(ok.stdout().lines().filter(l -> l.startsWith("CapEff:")).findFirst()
                .orElseThrow().substring("CapEff:".length()).strip(), 16);
        assertThat(capEff >>> HostFacts.CAP_IPC_LOCK & 1).as("CAP_IPC_LOCK in the child's CapEff").isZero();
        assertThat(ok.stderr()).contains("highest VmLck 0 B of the budget 2 MiB");

        DmazoneProcess failed = DmazoneProcess.run("launch", "--guest-ram", "512M", "--zone", "2M", "--device", NIC,
                "--", "env", "EXIT=3", "sh", "-c", probe);
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.stderr()).contains("exited with status 3");
    }

    /**
     * A host budget of the zone: virtio-iommu (boot-bypass off) runs under it; intel-iommu, which
     * pins all guest RAM as QEMU starts, is refused before anything runs, with the reason.
     */
    @Test
    void launchHoldsAHostBudgetAndRefusesAPlanThatPinsMoreAtStartup(@TempDir Path dir) throws Exception {
        String probe = "grep 'Max locked memory' /proc/self/limits";
        DmazoneProcess ok = DmazoneProcess.run("launch", "--guest-ram", "512M", "--zone", "2M", "--viommu", "virtio",
                "--device", NIC, "--memlock-budget", "4M", "--", "sh", "-c", probe);
        assertThat(ok.exitCode()).as(ok.stderr()).isZero();
        assertThat(ok.stdout()).containsPattern("Max locked memory\\s+4194304\\s+4194304\\s+bytes");

        Path ran = dir.resolve("qemu-ran");
        DmazoneProcess refused = DmazoneProcess.run("launch", "--guest-ram", "512M", "--zone", "2M", "--viommu",
                "intel", "--device", NIC, "--memlock-budget", "2M", "--", "touch", ran.toString());
        assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(2);
        assertThat(refused.stderrLines()).singleElement().asString()
                .contains("intel-iommu QEMU pins 576 MiB as it starts", "above the budget of 2 MiB", "virtio-iommu");
        assertThat(ran).as("the command of a refused launch").doesNotExist();

        DmazoneProcess zoneTooBig = DmazoneProcess.run("launch", "--guest-ram", "512M", "--zone", "8M", "--device",
                NIC, "--memlock-budget", "4M", "--", "touch", ran.toString());
        assertThat(zoneTooBig.exitCode()).as(zoneTooBig.stderr()).isEqualTo(2);
        assertThat(zoneTooBig.stderrLines()).singleElement().asString().contains("pins 8 MiB, above the budget of 4 MiB");
        assertThat(ran).doesNotExist();
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of(List.of("check", "--bogus")),
                Arguments.of(List.of("devices", "extra")),
                Arguments.of(List.of("bind", "nope")),
                Arguments.of(List.of("bind")),
                Arguments.of(List.of("unbind", "00:1f.9")),
                Arguments.of(List.of("plan", "--guest-ram", "4X", "--zone", "64M", "--device", NIC)),
                Arguments.of(List.of("plan", "--guest-ram", "512M", "--zone", "512M", "--device", NIC)),
                Arguments.of(List.of("plan", "--guest-ram", "512M", "--zone", "64M@0x40000000", "--device", NIC)),
                Arguments.of(List.of("plan", "--guest-ram", "4G", "--zone", "3M@0x40000000", "--device", NIC)),
                Arguments.of(List.of("plan", "--guest-ram", "4G", "--zone", "64M", "--viommu", "amd", "--device", NIC)),
                Arguments.of(List.of("plan", "--guest-ram", "4G", "--zone", "64M", "--device", NIC, "--device", NIC)),
                Arguments.of(List.of("plan", "--guest-ram", "4G", "--zone", "64M", "--device", NIC, "--format", "yaml")),
                Arguments.of(List.of("plan", "--guest-ram", "4G", "--zone", "64M")),
                Arguments.of(List.of("plan", "--guest-ram", "4G", "--zone", "64M", "--viommu", "none", "--device", NIC,
                        "--hot-add")),
                Arguments.of(List.of("launch", "--guest-ram", "4G", "--zone", "64M", "--device", NIC)),
                Arguments.of(List.of("launch", "--guest-ram", "4G", "--zone", "64M", "--device", NIC, "--interval", "0",
                        "--", "true")),
                Arguments.of(List.of("footprint", "abc")),
                Arguments.of(List.of("footprint", "-5")),
                Arguments.of(List.of("footprint", "1", "--watch", "--count", "-1")),
                Arguments.of(List.of("matrix", "--seconds", "1")),
                Arguments.of(List.of("matrix", "--rounds", "0")),
                Arguments.of(List.of("matrix", "--mode", "zone-amd")),
                Arguments.of(List.of("matrix", "--kernel-tree", "/nonexistent")),
                Arguments.of(List.of("frobnicate")));
    }

    @ParameterizedTest
    @MethodSource("badInputs")
    void badInputExitsTwoWithOneLine(List<String> args) throws Exception {
        DmazoneProcess r = DmazoneProcess.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as("exit status of dmazone %s; stderr: %s", args, r.stderr()).isEqualTo(2);
        assertThat(r.stderrLines()).as("stderr of dmazone %s", args).hasSize(1);
        assertThat(r.stdout()).isEmpty();
    }

    private static JsonNode fact(JsonNode doc, String name) {
        for (JsonNode f : doc.get("facts")) {
            if (f.get("name").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no fact " + name + " in " + doc);
    }
}
