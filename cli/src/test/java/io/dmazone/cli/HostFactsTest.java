package io.dmazone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HostFacts} on trees made to have, or lack, each thing it looks for. */
class HostFactsTest {
    @TempDir
    Path root;

    HostFacts facts() {
        return new HostFacts(root.resolve("sys"), root.resolve("dev"), root.resolve("proc"));
    }

    @Test
    void aHostWithoutAnIommuIsMissingItAndItsGroups() throws Exception {
        Files.createDirectories(root.resolve("sys/class/iommu"));
        assertThat(facts().iommu().status()).isEqualTo(HostFact.Status.MISSING);
        assertThat(facts().iommu().advice()).contains("intel_iommu=on");
        assertThat(facts().iommuGroups().status()).isEqualTo(HostFact.Status.MISSING);
    }

    @Test
    void aHostWithAnIommuListsItsUnitsAndCountsGroups() throws Exception {
        Files.createDirectories(root.resolve("sys/class/iommu/dmar0"));
        Files.createDirectories(root.resolve("sys/class/iommu/dmar1"));
        for (int g = 0; g < 3; g++) {
            Files.createDirectories(root.resolve("sys/kernel/iommu_groups/" + g));
        }
        assertThat(facts().iommu()).isEqualTo(HostFact.ok("iommu", "dmar0, dmar1"));
        assertThat(facts().iommuGroups().value()).startsWith("3 ");
    }

    @Test
    void modulesAndNodesAreMissingUntilTheyAppear() throws Exception {
        assertThat(facts().module("vfio_pci", "modprobe vfio-pci").advice()).isEqualTo("load it: modprobe vfio-pci");
        assertThat(facts().vfioContainer().status()).isEqualTo(HostFact.Status.MISSING);
        assertThat(facts().iommufd().status()).isEqualTo(HostFact.Status.NOTE);
        Files.createDirectories(root.resolve("sys/module/vfio_pci"));
        Files.createDirectories(root.resolve("dev/vfio"));
        Files.createFile(root.resolve("dev/vfio/vfio"));
        Files.createFile(root.resolve("dev/iommu"));
        assertThat(facts().module("vfio_pci", "modprobe vfio-pci").status()).isEqualTo(HostFact.Status.OK);
        assertThat(facts().vfioContainer().status()).isEqualTo(HostFact.Status.OK);
        assertThat(facts().iommufd().status()).isEqualTo(HostFact.Status.OK);
    }

    @Test
    void capabilitiesAreReadFromCapEff() throws Exception {
        Files.createDirectories(root.resolve("proc/self"));
        Files.writeString(root.resolve("proc/self/status"), "Name:\tjava\nCapEff:\t0000000000004000\n");
        assertThat(facts().hasCapability(HostFacts.CAP_IPC_LOCK)).isTrue();
        assertThat(facts().hasCapability(HostFacts.CAP_SYS_RESOURCE)).isFalse();
        Files.writeString(root.resolve("proc/self/status"), "Name:\tjava\nCapEff:\t000001fffeffbfff\n");
        assertThat(facts().hasCapability(HostFacts.CAP_IPC_LOCK)).isFalse();
        assertThat(facts().ipcLock().value()).startsWith("not held");
    }

    @Test
    void hugePagesOffEverywhereIsANote() throws Exception {
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("sys/kernel/mm/transparent_hugepage"));
        Files.writeString(root.resolve("proc/meminfo"), "HugePages_Total:       0\nHugepagesize:       2048 kB\n");
        Files.writeString(root.resolve("sys/kernel/mm/transparent_hugepage/enabled"), "always madvise [never]\n");
        assertThat(facts().hugepages().status()).isEqualTo(HostFact.Status.NOTE);
        assertThat(facts().hugepages().value()).startsWith("0 of 2 MiB reserved");
        Files.writeString(root.resolve("sys/kernel/mm/transparent_hugepage/enabled"), "always [madvise] never\n");
        assertThat(facts().hugepages().status()).isEqualTo(HostFact.Status.OK);
    }
}
