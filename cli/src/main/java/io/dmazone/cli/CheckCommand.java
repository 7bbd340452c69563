package io.dmazone.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dmazone check}: can this host give a VM's device a DMA zone. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Can this host do it: IOMMU and groups, VFIO modules and nodes, iommufd, the memlock limit, "
                + "CAP_IPC_LOCK, huge pages. One line per fact, with what to do where one is missing.",
                "Exit status 1 when something dmazone needs is missing."})
final class CheckCommand extends Subcommand {
    @Option(names = "--json", description = "Print the facts as JSON.")
    boolean json;

    HostFacts facts = HostFacts.system();

    @Override
    public Integer call() {
        List<HostFact> all = facts.all();
        boolean ready = all.stream().noneMatch(f -> f.status() == HostFact.Status.MISSING);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("ready", ready);
            doc.put("facts", all.stream().map(f -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", f.name());
                m.put("status", f.status().name().toLowerCase());
                m.put("value", f.value());
                m.put("advice", f.advice());
                return m;
            }).toList());
            Json.print(out, doc);
        } else {
            for (HostFact f : all) {
                if (verbosity.quiet() && f.status() == HostFact.Status.OK) {
                    continue;
                }
                out.printf("%-7s %-16s %s%s%n", f.status().name().toLowerCase(), f.name(), f.value(),
                        f.advice().isEmpty() ? "" : " — " + f.advice());
            }
            out.println(ready ? "ready: this host can run a VM with a DMA zone"
                    : "not ready: fix the missing lines above");
            out.flush();
        }
        return ready ? Dmazone.OK : Dmazone.FAILED;
    }
}
