package io.dmazone.measure;

import io.dmazone.vm.GuestDevice;
import io.dmazone.vm.NestedResult;
import io.dmazone.vm.PinnedSample;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Renders nested results as the pinned-footprint table people read. */
public final class FootprintTable {
    private FootprintTable() {
    }

    public static String render(List<NestedResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-22s %-30s %-10s %6s %6s %9s %18s %18s %8s%n",
                "run", "L2 vIOMMU", "devices", "L2 MiB", "L2 s", "L1 boot s",
                "peak VmLck MiB@s", "steady VmLck MiB", "VmPin"));
        for (NestedResult r : results) {
            PinnedSample peak = r.peak();
            PinnedSample steady = r.steady();
            sb.append(String.format(Locale.ROOT, "%-22s %-30s %-10s %6d %6.1f %9.1f %18s %18s %8s%n",
                    r.name(), r.environment().l2Viommu(),
                    r.passthrough().stream().map(GuestDevice::label).collect(Collectors.joining(",")),
                    r.environment().l2MemoryMiB(), r.l2BootWallSeconds(), r.l1BootSeconds(),
                    peak == null ? "-" : String.format(Locale.ROOT, "%.1f@%.1f", peak.vmLckKiB() / 1024.0,
                            peak.millis() / 1000.0),
                    steady == null ? "-" : String.format(Locale.ROOT, "%.1f (%.1f%%)", steady.vmLckKiB() / 1024.0,
                            100.0 * steady.vmLckKiB() / r.l2MemoryKiB()),
                    steady == null ? "-" : Long.toString(steady.vmPinKiB())));
        }
        sb.append(results.isEmpty() ? "" : String.format(Locale.ROOT,
                "environment: %s, QEMU %s, L1 %s, L2 %s, L2 QEMU RLIMIT_MEMLOCK %s%n",
                results.get(0).environment().guestKernel(), results.get(0).environment().qemuVersion(),
                results.get(0).environment().l1Accel(), results.get(0).environment().l2Accel(),
                results.get(0).environment().l2MemlockLimit()));
        return sb.toString();
    }
}
