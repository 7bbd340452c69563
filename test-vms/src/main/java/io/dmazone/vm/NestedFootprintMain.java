package io.dmazone.vm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The main job: boots the L1 host VM and, inside it, the L2 guest with the
 * e1000e passed through, once without and once with an L2 intel-iommu, and
 * prints what L1 saw of L2's pinned memory. Writes the results as JSON to
 * test-vms/target/reports/nested-footprint.json.
 */
public final class NestedFootprintMain {
    private NestedFootprintMain() {
    }

    public static void main(String[] args) throws Exception {
        List<NestedResult> results = new ArrayList<>();
        for (Viommu viommu : List.of(Viommu.NONE, Viommu.INTEL)) {
            String name = "main-" + viommu.name().toLowerCase(Locale.ROOT).replace('_', '-');
            System.out.println("== " + name + ": L2 512 MiB, e1000e passed through, L2 vIOMMU " + viommu.label());
            NestedResult r = NestedRun.run(Scenarios.stockE1000e(name, viommu));
            System.out.print(r.l2Output().lines().filter(l -> l.startsWith("CHECK") || l.startsWith("VALUE"))
                    .map(l -> "   L2: " + l + "\n").reduce("", String::concat));
            System.out.printf(Locale.ROOT, "   L2 exit %d; run files: %s%n", r.l2ExitStatus(), r.runDirectory());
            results.add(r);
        }
        System.out.println();
        System.out.print(FootprintTable.render(results));
        Path report = Project.root().resolve("test-vms/target/reports/nested-footprint.json");
        Files.createDirectories(report.getParent());
        Reports.write(report, results);
        System.out.println("report: " + report);
        boolean ok = results.stream().allMatch(r -> r.l2ExitStatus() == 0);
        System.exit(ok ? 0 : 1);
    }
}
