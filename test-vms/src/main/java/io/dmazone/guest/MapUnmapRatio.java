package io.dmazone.guest;

import io.dmazone.sysfs.PciDevice;
import io.dmazone.sysfs.PciSysfs;
import io.dmazone.sysfs.VfioPciBinding;
import io.dmazone.vfio.IommuBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link MapUnmapBenchmark} with JMH and the same loop in C, and prints, in KTAP
 * (see {@link CheckReport}), {@code # VALUE jmh_java_over_c <ratio>}. As root inside the L1 VM:
 * {@code java -cp <cp> io.dmazone.guest.MapUnmapRatio type1v2 <vfio_map_bench binary or .c source>}.
 * A {@code .c} argument is compiled with gcc into /tmp first.
 */
public final class MapUnmapRatio {
    private MapUnmapRatio() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: MapUnmapRatio type1|type1v2 <vfio_map_bench binary | vfio_map_bench.c>");
            System.exit(2);
        }
        IommuBackend backend = IommuBackend.parse(args[0]);
        String cBench = args[1];
        if (cBench.endsWith(".c")) {
            String bin = "/tmp/vfio_map_bench";
            run(List.of("gcc", "-O2", "-o", bin, cBench), true);
            cBench = bin;
        }
        if (!Files.isDirectory(Path.of("/sys/bus/pci/drivers/vfio-pci"))) {
            run(List.of("modprobe", "vfio-pci"), true);
        }
        PciSysfs sysfs = PciSysfs.system();
        PciDevice edu = sysfs.findByIds(EduDriver.VENDOR, EduDriver.DEVICE).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("no edu device (1234:11e8); start QEMU with -device edu"));
        CheckReport report = new CheckReport(System.out);
        try (VfioPciBinding b = sysfs.bindToVfioPci(edu.address())) {
            String group = Integer.toString(b.iommuGroup());
            Options opt = new OptionsBuilder()
                    .include(MapUnmapBenchmark.class.getName() + ".")
                    .param("backend", backend.name())
                    .forks(1)
                    .warmupIterations(5).warmupTime(TimeValue.seconds(2)) // C2 under TCG is slow to settle
                    .measurementIterations(5).measurementTime(TimeValue.seconds(2))
                    .build();
            Collection<RunResult> results = new Runner(opt).run();
            Result<?> r = results.iterator().next().getPrimaryResult();
            double javaMs = r.getScore();
            // C after JMH: while this JVM still compiles and collects, the C loop measured twice as slow.
            double cMs = Double.NaN;
            for (String line : run(List.of(cBench, group, "64", "200", "20", backend == IommuBackend.TYPE1 ? "type1" : "type1v2"), true)) {
                report.relay("vfio_map_bench", line);
                if (line.startsWith(C_MS)) {
                    cMs = Double.parseDouble(line.substring(C_MS.length()).trim());
                }
            }
            report.value("jmh_java_map_unmap_ms", fmt(javaMs));
            report.value("jmh_java_map_unmap_error_ms", fmt(r.getScoreError()));
            report.value("jmh_unit", r.getScoreUnit());
            report.value("c_map_unmap_ms_used", fmt(cMs));
            report.value("jmh_java_over_c", fmt(javaMs / cMs));
            // The target, Java within 10 % of C, judged by JMH's 99.9 % interval on the Java score.
            double low = (javaMs - r.getScoreError()) / cMs;
            double high = (javaMs + r.getScoreError()) / cMs;
            report.value("jmh_java_over_c_interval", fmt(low) + " " + fmt(high));
            report.value("target_java_over_c_at_most_1.1",
                    high <= TARGET ? "met" : low > TARGET ? "missed" : "unresolved");
            report.check("java_over_c_measured", Double.isFinite(javaMs / cMs),
                    "Java " + fmt(javaMs) + " ms, C " + fmt(cMs) + " ms per map+unmap");
        } // the binding is closed (edu given back) before exiting
        System.exit(report.end());
    }

    /** The C loop's figure (vfio_map_bench.c prints it). */
    private static final String C_MS = "# VALUE c_map_unmap_ms ";

    /** Java's map+unmap time over C's that the Java API aims to stay within. */
    private static final double TARGET = 1.1;

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static List<String> run(List<String> cmd, boolean mustSucceed) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                out.add(l);
            }
        }
        int rc = p.waitFor();
        if (mustSucceed && rc != 0) {
            throw new IllegalStateException(cmd + " exited " + rc + ": " + String.join(" | ", out));
        }
        return out;
    }
}
